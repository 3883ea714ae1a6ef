"""Place resolution in context: disambiguation, near, police districts, the event's place, ACLED admin1."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from frontlines.extract.mentions import PlaceMention, SentenceContext
from frontlines.extract.places import article_place_context, choose_event_place, find_places, geo_precision

ACLED = (
    Path(__file__).resolve().parents[1]
    / ".."
    / "shared"
    / "eval-data"
    / "acled-2020"
    / "acled_2020_not_afghanistan.csv"
)


@pytest.fixture(scope="session")
def nlp(nlp_places):
    """Place tests run on the product's pipeline (place ruler before `ner`)."""
    return nlp_places


def _ctx(doc) -> SentenceContext:
    country, iso3, admin1 = article_place_context(doc)
    return SentenceContext(published=None, country=country, iso3=iso3, admin1=admin1)


def _by_text(mentions: list[PlaceMention]) -> dict[str, PlaceMention]:
    return {m.text: m for m in mentions}


def _trigger(doc, word: str) -> tuple[int, int]:
    tok = next(t for t in doc if t.text == word)
    return tok.idx, tok.idx + len(tok)


def test_article_context_counts_dateline_and_mentions(nlp) -> None:
    doc = nlp(
        "LASHKAR GAH, Afghanistan — Fighting spread through Helmand on Monday. Officials in Nad Ali and "
        "Nawa said insurgents had reached the outskirts of the provincial capital."
    )
    assert article_place_context(doc) == ("Afghanistan", "AFG", "Helmand")


def test_explicit_province_beats_article_province(nlp) -> None:
    doc = nlp(
        "Kandahar has seen weeks of fighting. Gunmen also struck Arghandab district of Zabul province late on "
        "Tuesday, and clashes were reported in Arghandab near Kandahar city."
    )
    ctx = _ctx(doc)
    assert ctx.admin1 == "Kandahar"
    sents = list(doc.sents)
    zabul = _by_text(find_places(sents[1], ctx))
    assert zabul["Arghandab district"].place.admin1 == "Zabul"
    assert zabul["Zabul province"].place.kind == "admin1"
    assert geo_precision(zabul["Arghandab district"]) == 2
    assert geo_precision(zabul["Zabul province"]) == 3
    # Without an explicit province, the article's dominant province decides.
    bare = [m for m in find_places(sents[1], ctx) if m.text == "Arghandab"]
    assert bare and bare[0].place.admin1 == "Kandahar"


def test_near_and_police_district(nlp) -> None:
    doc = nlp(
        "KANDAHAR, Afghanistan — Militants attacked the city's Seventh Police District overnight, while a "
        "roadside bomb exploded near Spin Boldak."
    )
    ms = find_places(doc, _ctx(doc))
    pd = next(m for m in ms if m.place is not None and m.place.kind == "police_district")
    assert pd.place.name == "Kandahar - PD7" and pd.part_of and geo_precision(pd) == 1
    spin = next(m for m in ms if m.text == "Spin Boldak")
    assert spin.near and geo_precision(spin) == 2 and spin.place.admin1 == "Kandahar"
    assert choose_event_place(ms, *_trigger(doc, "attacked"), doc) is pd


def test_event_place_is_not_the_speakers_office(nlp) -> None:
    doc = nlp(
        "Insurgents stormed a checkpoint in Maiwand district, a spokesman for the Kandahar governor said."
    )
    ms = find_places(doc, _ctx(doc))
    chosen = choose_event_place(ms, *_trigger(doc, "stormed"), doc)
    assert chosen is not None and chosen.text.startswith("Maiwand") and chosen.place.admin1 == "Kandahar"


def test_crossing_beats_its_province(nlp) -> None:
    doc = nlp("The group seized the Torghundi border crossing in Herat province on Thursday.")
    ms = find_places(doc, _ctx(doc))
    chosen = choose_event_place(ms, *_trigger(doc, "seized"), doc)
    assert chosen.place.kind == "crossing" and chosen.place.name == "Torghundi" and geo_precision(chosen) == 1


def test_unresolvable_place_is_kept(nlp) -> None:
    doc = nlp("Shots were fired in Zzyzqwert Valley yesterday.")
    ms = find_places(doc, SentenceContext(published=None))
    for m in ms:
        if m.place is None:
            assert geo_precision(m) == 3
    assert choose_event_place([], 0, 1, doc) is None


@pytest.mark.parametrize(
    ("word", "iso3"),
    [
        ("Syrian", "SYR"),
        ("Yemeni", "YEM"),
        ("Nigerian", "NGA"),
        ("Turkish", "TUR"),
        ("Afghans", "AFG"),
        ("Kurdish", None),
    ],
)
def test_demonyms(word: str, iso3: str | None) -> None:
    from frontlines.extract.places import demonym_country

    assert demonym_country(word) == iso3


def test_country_from_nationality_and_missed_village(nlp) -> None:
    doc = nlp("Yemeni troops shelled positions near Harib, killing two fighters.")
    country, iso3, _ = article_place_context(doc)
    assert (country, iso3) == ("Yemen", "YEM")
    ms = find_places(doc, _ctx(doc))
    harib = [m for m in ms if m.text.startswith("Harib")]
    assert harib and harib[0].place.iso3 == "YEM" and harib[0].near


def test_person_names_are_not_spelling_variants_of_villages(nlp) -> None:
    doc = nlp("Ghani met elders in Kabul on Sunday.")
    ms = find_places(doc, _ctx(doc))
    assert [m.text for m in ms if m.place is not None] == ["Kabul"]


def _admin1_match(gaz, pred, gold_admin1: str, iso3: str) -> bool:
    from frontlines.geo.gazetteer import loose_key, name_key

    if pred is None or pred.admin1 is None:
        return False
    if loose_key(name_key(pred.admin1)) == loose_key(name_key(gold_admin1)):  # "Idleb" = "Idlib"
        return True
    gold = gaz.lookup(gold_admin1, iso3=iso3, kinds={"admin1"}, limit=1)
    return bool(gold) and gold[0].iso3 == pred.iso3 and name_key(gold[0].admin1) == name_key(pred.admin1)


def _event_place(nlp_doc, ctx):
    ms = find_places(nlp_doc, ctx)
    sent = next(nlp_doc.sents)
    root = sent.root
    return choose_event_place(ms, root.idx, root.idx + len(root), nlp_doc)


@pytest.mark.skipif(not ACLED.exists(), reason="ACLED 2020 dev data not present")
def test_acled_admin1_accuracy(nlp) -> None:
    """admin1 of the event place from ACLED notes: text-only context, and with the row's country given."""
    from frontlines.geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()
    limit = int(os.environ.get("FRONTLINES_ACLED_ROWS", "1000"))
    with ACLED.open(encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if r["admin1"] and r["notes"]][:limit]
    text_only = given = country_ok = 0
    for doc, r in zip(nlp.pipe([r["notes"] for r in rows], batch_size=64), rows, strict=True):
        country, iso3, admin1 = article_place_context(doc)
        country_ok += iso3 == r["iso3"]
        pm = _event_place(doc, SentenceContext(published=None, country=country, iso3=iso3, admin1=admin1))
        text_only += _admin1_match(gaz, pm.place if pm else None, r["admin1"], r["iso3"])
        c = gaz.country(r["iso3"])
        pm = _event_place(doc, SentenceContext(published=None, country=c.name if c else None, iso3=r["iso3"]))
        given += _admin1_match(gaz, pm.place if pm else None, r["admin1"], r["iso3"])
    n = len(rows)
    print(
        f"\nACLED 2020 admin1 accuracy over {n} rows: text only {text_only / n:.3f}, "
        f"country given {given / n:.3f}; article country from text {country_ok / n:.3f}"
    )
    assert text_only / n > 0.64
    assert given / n > 0.68
    assert country_ok / n > 0.78


EVENT_LOCATION = ACLED.parents[1] / "event-location" / "labeled_text.jsonl.zip"


@pytest.mark.skipif(not EVENT_LOCATION.exists(), reason="event-location dev data not present")
def test_event_location_choice(nlp) -> None:
    """Which place did the event happen in (Halterman 2019 verb-location links), where we found it."""
    import json
    import zipfile

    with zipfile.ZipFile(EVENT_LOCATION) as zf:
        name = next(n for n in zf.namelist() if n.endswith(".jsonl") and "MACOSX" not in n)
        rows = json.loads(zf.read(name))
    rows = [
        r
        for r in rows
        if r.get("answer") == "accept"
        and any(s["label"] == "LOCATION" for s in r.get("spans", []))
        and sum(s["label"] == "VERB" for s in r["spans"]) == 1
    ][: int(os.environ.get("FRONTLINES_EVLOC_ROWS", "1500"))]
    found = multi = right = right_multi = first_multi = 0
    for doc, r in zip(nlp.pipe([r["text"] for r in rows], batch_size=64), rows, strict=True):
        ms = find_places(doc, _ctx(doc))
        gold = [(s["start"], s["end"]) for s in r["spans"] if s["label"] == "LOCATION"]
        verb = next(s for s in r["spans"] if s["label"] == "VERB")

        def hit(m: PlaceMention, gold=gold) -> bool:
            return any(m.start < e and s < m.end for s, e in gold)

        if not any(hit(m) for m in ms):
            continue
        found += 1
        chosen = choose_event_place(ms, verb["start"], verb["end"], doc)
        ok = chosen is not None and hit(chosen)
        right += ok
        if len({(m.start, m.end) for m in ms}) > 1:
            multi += 1
            right_multi += ok
            first_multi += hit(ms[0])
    print(
        f"\nevent-location: gold place among our mentions in {found}/{len(rows)} sentences; chosen right "
        f"{right / found:.3f}; with >1 candidate {right_multi / multi:.3f} over {multi} "
        f"(first-mention baseline {first_multi / multi:.3f})"
    )
    assert right_multi / multi > first_multi / multi
    assert right_multi / multi > 0.55


def _resolved(nlp, text: str) -> dict[str, PlaceMention]:
    doc = nlp(text)
    return _by_text(find_places(doc, _ctx(doc)))


def test_region_after_a_town_picks_the_country(nlp) -> None:
    # "(Town, Region)" and "Town (Region)": the candidate inside the named region wins.
    ms = _resolved(nlp, "Ranchers were robbed at a farm outside Pedro Juan Caballero (Amambay) on Friday.")
    assert ms["Pedro Juan Caballero"].place.iso3 == "PRY"
    assert ms["Pedro Juan Caballero"].place.admin1 == "Amambay"


def test_state_abbreviation_in_parentheses(nlp) -> None:
    ms = _resolved(nlp, "Two traders were beaten in Kairana, Shamli (UP) after a quarrel over cattle.")
    town = ms.get("Kairana") or ms.get("Shamli")
    assert town is not None and town.place.iso3 == "IND" and town.place.admin1 == "Uttar Pradesh"


def test_chain_decides_between_same_named_places(nlp) -> None:
    ms = _resolved(
        nlp, "Insurgents attacked a checkpoint in Zarghun Kalay area, Mahmud Raqi, Kapisa on Monday."
    )
    village = ms["Zarghun Kalay"]
    # Not in the gazetteer: coded to the most specific unit of the chain, an area (precision 2).
    assert village.place.admin1 == "Kapisa" and village.place.kind == "admin2"
    assert geo_precision(village) == 2


def test_missing_neighbourhood_falls_back_to_its_city_province(nlp) -> None:
    ms = _resolved(
        nlp, "A grenade exploded in the Qala-e-Fatullah neighborhood, Kabul, wounding three people."
    )
    hood = ms["Qala-e-Fatullah"]
    assert hood.place.iso3 == "AFG" and hood.place.admin1 == "Kabul"


def test_a_list_of_provinces_is_no_chain(nlp) -> None:
    ms = _resolved(nlp, "Troops clashed with militants in Kabul, Kandahar and Herat on Monday.")
    assert ms["Kabul"].place.admin1 == "Kabul"
    assert ms["Kandahar"].place.admin1 == "Kandahar"


def test_known_town_is_kept_against_an_overlapping_unit(nlp) -> None:
    ms = _resolved(nlp, "Settlers attacked farmers near Jericho in the West Bank on Saturday.")
    assert ms["Jericho"].place.name == "Jericho" and ms["Jericho"].place.iso3 == "PSE"


def test_unlisted_village_before_its_province_is_coded_there(nlp) -> None:
    ms = _resolved(nlp, "On Monday, rebels fired mortars at army positions near Kamianka, Donetsk.")
    assert ms["Kamianka"].place.admin1 == "Donetsk"
    ms = _resolved(nlp, "A quarrel over land led to firing in Pipri, Kaushambi (UP), killing one man.")
    assert ms["Pipri"].place.admin1 == "Uttar Pradesh" and geo_precision(ms["Pipri"]) == 2


def test_small_namesake_abroad_is_not_the_place(nlp) -> None:
    doc = nlp("Rebels looted wheat crops in Nadas in rural Ras al Ain in al-Hasakeh, Syria.")
    ms = find_places(doc, _ctx(doc))
    assert all(m.place is None or m.place.iso3 == "SYR" for m in ms)


def test_dateline_is_not_the_event_place(nlp) -> None:
    doc = nlp(
        "KANDAHAR, Afghanistan (March 3, 2012) – Security forces detained two bomb makers in Nawa district, "
        "Helmand province."
    )
    ms = find_places(doc, _ctx(doc))
    # The date in the dateline is no unit of a chain ("March" is also a Swiss district).
    assert all(m.place is None or m.place.iso3 == "AFG" for m in ms)
    chosen = choose_event_place(ms, *_trigger(doc, "detained"), doc)
    assert chosen.place.admin1 == "Helmand"


def test_unit_chain_votes_for_the_article_country(nlp) -> None:
    doc = nlp("On Friday, in San Antonio (Valparaiso), residents set barricades on fire.")
    assert article_place_context(doc)[1] == "CHL"
    ms = find_places(doc, _ctx(doc))
    assert _by_text(ms)["San Antonio"].place.iso3 == "CHL"


def test_a_closing_country_name_sets_the_chain_country(nlp) -> None:
    # "Mali" alone is a country; the town's full name and the country after it say Serbia.
    doc = nlp("Riot police dispersed a crowd in Mali Zvornik, Serbia, on Sunday evening.")
    assert article_place_context(doc)[1] == "SRB"
    ms = _by_text(find_places(doc, _ctx(doc)))
    assert ms["Mali Zvornik"].place.iso3 == "SRB" and ms["Mali Zvornik"].place.kind == "city"


def test_a_province_of_one_country_only_sets_the_chain_country(nlp) -> None:
    # The report reads as Palestinian (Gaza), but "North Sinai" is a province of Egypt only, and a
    # capitalised direction starts its name.
    doc = nlp("Gaza was calm on Monday. Troops raided homes in Rafah (Rafah, North Sinai) the same night.")
    sents = list(doc.sents)
    ms = _by_text(find_places(sents[1], _ctx(doc)))
    assert ms["Rafah"].place.iso3 == "EGY" and ms["Rafah"].place.admin1 == "North Sinai"


def test_a_province_spelling_variant_places_a_report_without_a_country(nlp) -> None:
    doc = nlp("On Monday, fighters clashed at Wadi Zamzam (Misrata) for several hours.")
    assert article_place_context(doc)[1] == "LBY"
    ms = find_places(doc, _ctx(doc))
    assert any(m.place is not None and m.place.iso3 == "LBY" for m in ms)


def test_generic_province_name_abroad_is_not_the_place(nlp) -> None:
    # "East" is a province of several countries; in a Colombian report it is no place abroad.
    doc = nlp("Farmers blocked roads in the East of Medellin, Antioquia, on Friday.")
    ms = find_places(doc, _ctx(doc))
    assert all(m.place is None or m.place.iso3 == "COL" for m in ms)


def test_split_entities_join_into_a_known_name(nlp) -> None:
    doc = nlp("Nurses marched through Ciudad de Mexico on Monday to demand masks.")
    ms = find_places(doc, _ctx(doc))
    assert [m.place.name for m in ms if m.place is not None] == ["Mexico City"]


def test_hyphenated_name_is_read_whole(nlp) -> None:
    # The ruler tags only "Sava" (a province of Madagascar) inside the Cameroonian division's name.
    doc = nlp("Militants burned a school in Kolofata, Mayo-Sava, on Friday.")
    ms = _by_text(find_places(doc, _ctx(doc)))
    assert ms["Mayo-Sava"].place.iso3 == "CMR" and ms["Mayo-Sava"].place.kind == "admin2"
    assert ms["Kolofata"].place.admin2 == "Mayo-Sava"


def test_named_facility_is_coded_to_its_town(nlp) -> None:
    doc = nlp("Shells fell near Donetsk Airport on Sunday, monitors said.")
    ms = _by_text(find_places(doc, _ctx(doc)))
    airport = ms["Donetsk Airport"]
    assert airport.place.name == "Donetsk" and airport.place.iso3 == "UKR"
    assert geo_precision(airport) == 2


def test_place_the_ner_calls_a_person_after_in(nlp) -> None:
    doc = nlp("Police arrested six men in Bnei Brak city on Tuesday for breaking the curfew.")
    ms = [m for m in find_places(doc, _ctx(doc)) if m.place is not None]
    assert any(m.place.name == "Bnei Brak" and m.place.iso3 == "ISR" for m in ms)


def test_list_gaps() -> None:
    from frontlines.extract.pipeline import _list_gap

    assert _list_gap(" (Marib), Nihm (Sanaa), and ")
    assert _list_gap(", Bab al Fath (Qaatabah, Ad Dali), and Jabal Sabr (")
    assert _list_gap(" (")
    assert not _list_gap(", while troops shelled ")
    assert not _list_gap(". Later, in ")


def test_name_and_its_units_in_parentheses_without_the_ner(nlp) -> None:
    # The NER reads "Bambofa (Dori, Seno" as one organisation; the chain is read from the text itself.
    ms = _resolved(nlp, "Gunmen killed two herders in the area of Bambofa (Dori, Seno) on Monday.")
    village = ms["Bambofa"]
    # No Bambofa in the gazetteer: coded to the town the chain names, as near it.
    assert (village.place.iso3, village.place.name) == ("BFA", "Dori")
    assert geo_precision(village) == 2


def test_parenthesised_units_pick_the_country_of_a_shared_name(nlp) -> None:
    # "Niger" is a country and a Nigerian state: the district inside it decides.
    ms = _resolved(nlp, "Bandits raided Kagara (Rafi LGA, Niger) and abducted four traders.")
    town = ms["Kagara"]
    assert (town.place.iso3, town.place.admin1, geo_precision(town)) == ("NGA", "Niger", 1)


def test_a_closing_country_in_parentheses_is_no_unit(nlp) -> None:
    # "Armenia" is also a Colombian town: as the last word of the chain it names the country.
    ms = _resolved(nlp, "Hundreds marched in Yerevan (Yerevan, Armenia) on Friday.")
    assert ms["Yerevan"].place.iso3 == "ARM"


def test_a_neighbourhood_of_a_big_city_is_coded_to_the_city(nlp) -> None:
    ms = _resolved(nlp, "Shells fell on Hay al-Andalus (Tripoli) on Friday, wounding three people.")
    hood = next(m for t, m in ms.items() if t.startswith("Hay"))
    assert (hood.place.iso3, hood.place.kind) == ("LBY", "city")
    assert geo_precision(hood) == 1  # ACLED: a part of a big city keeps precision 1


def test_a_parenthesis_that_is_no_chain_is_left_alone(nlp) -> None:
    doc = nlp("Police arrested Ahmad Zia (as reported) in Herat city on Monday.")
    ms = find_places(doc, _ctx(doc))
    assert [m.place.name for m in ms if m.place is not None] == ["Herat"]


def test_no_sentence_starts_inside_a_bracket(nlp) -> None:
    doc = nlp(
        "Militants killed nine villagers in Zibane [Ziban] (Anzourou, Tillaberi). Troops arrived later."
    )
    assert len(list(doc.sents)) == 2
    assert next(doc.sents).text.endswith("Tillaberi).")


def test_a_named_theatre_picks_the_namesake_inside_it(nlp) -> None:
    # Ukraine has Shevchenkos in several oblasts; ceasefire monitors report on those near the contact line.
    plain = _resolved(nlp, "On Monday, residents of Shevchenko in Ukraine complained about the roads.")
    assert plain["Shevchenko"].place.admin1 != "Donetsk"
    ms = _resolved(nlp, "On Monday, the OSCE SMM recorded 12 shots involving small arms near Shevchenko.")
    assert (ms["Shevchenko"].place.iso3, ms["Shevchenko"].place.admin1) == ("UKR", "Donetsk")


def test_a_town_named_after_its_unit_in_parentheses(nlp) -> None:
    # "Tangier (Tangier)": no unit of that name in the gazetteer, so the town itself, in the report's country.
    ms = _resolved(
        nlp, "On Monday, Moroccan police dispersed a sit-in outside the prison of Tangier (Tangier)."
    )
    town = next(m for t, m in ms.items() if t.startswith("Tangier"))
    assert (town.place.iso3, town.place.kind) == ("MAR", "city")


def test_only_a_province_name_of_one_country_is_believed_abroad() -> None:
    from frontlines.extract.places import _landmark
    from frontlines.geo.gazetteer import get_gazetteer

    gaz = get_gazetteer()

    def one(name: str, kind: str, iso3: str):
        return gaz.lookup(name, iso3=iso3, kinds={kind}, limit=1)[0]

    assert _landmark(one("Aleppo", "admin1", "SYR")) and _landmark(one("Aleppo", "city", "SYR"))
    # "Eastern" is a province of several countries; Gorgan a city whose province has another name.
    assert not _landmark(one("Eastern", "admin1", "LKA"))
    assert not _landmark(one("Gorgan", "city", "IRN"))


def test_the_town_of_a_name_read_as_a_person_is_that_place(nlp) -> None:
    from spacy.tokens import Span

    doc = nlp("On Friday, a crowd gathered in the town of Idleb against the new crossings.")
    name = next(t for t in doc if t.text == "Idleb")
    doc.ents = [Span(doc, name.i, name.i + 1, label="PERSON")]
    doc.user_data.pop("frontlines_ents", None)
    found = [m for m in find_places(doc, SentenceContext(published=None)) if m.place is not None]
    assert [(m.text, m.place.name, m.place.iso3) for m in found] == [("Idleb", "Idlib", "SYR")]


def test_a_currency_is_not_a_place(nlp) -> None:
    doc = nlp("Protesters angry at the high US dollar exchange rate blocked the Saadnayel highway.")
    assert not any(m.text == "US" for m in find_places(doc, SentenceContext(published=None)))


def _unknown(nlp, text: str, iso3: str | None = "UKR", country: str | None = "Ukraine"):
    doc = nlp(text)
    ctx = SentenceContext(published=None, country=country, iso3=iso3)
    return [(m.text, m.place) for m in find_places(doc, ctx)]


def test_a_village_the_gazetteer_lacks_is_kept_by_name(nlp) -> None:
    from spacy.tokens import Span

    text = "The monitors observed a total of 6 explosions involving unknown weapons near Mineralne."
    doc = nlp(text)
    name = next(t for t in doc if t.text == "Mineralne")
    doc.ents = [Span(doc, name.i, name.i + 1, label="ORG")]  # as the NER tags it
    doc.user_data.pop("frontlines_ents", None)
    ctx = SentenceContext(published=None, country="Ukraine", iso3="UKR")
    assert [(m.text, m.place) for m in find_places(doc, ctx)] == [("Mineralne", None)]
    # Without a country the name could be anywhere: nothing is kept.
    assert find_places(doc, SentenceContext(published=None)) == []


def test_an_unknown_name_is_not_kept_beside_a_known_place_or_as_an_english_word(nlp) -> None:
    from spacy.tokens import Span

    def tagged(text: str, word: str):
        doc = nlp(text)
        tok = next(t for t in doc if t.text == word)
        doc.ents = [
            *(e for e in doc.ents if e.end <= tok.i or e.start > tok.i),
            Span(doc, tok.i, tok.i + 1, "ORG"),
        ]
        doc.user_data.pop("frontlines_ents", None)
        return [
            m.text for m in find_places(doc, SentenceContext(published=None, country="Ukraine", iso3="UKR"))
        ]

    # A place the gazetteer knows is named too: the unknown name is not needed.
    assert "Mineralne" not in tagged(
        "Shelling hit Donetsk and the road near Mineralne on Monday.", "Mineralne"
    )
    # A word of the language is no village.
    assert tagged("The deputies voted on the bill in Parliament on Monday.", "Parliament") == []


def test_a_numbered_settlement_is_placed_by_its_town(nlp) -> None:
    doc = nlp("The monitors observed a total of 2 shots involving small arms near Zolote-4.")
    found = find_places(doc, SentenceContext(published=None, country="Ukraine", iso3="UKR"))
    assert [(m.text, m.place.name, m.place.admin1, m.near) for m in found] == [
        ("Zolote-4", "Zolote", "Luhansk", True)
    ]


@pytest.mark.parametrize(
    ("text", "iso3", "admin1"),
    [
        # A town many countries share against a province-seat name only Syria uses: the seat's
        # name stands for its province too, and outvotes the namesake abroad.
        ("On Tuesday, a roadside bomb went off near Karama town in Ar-Raqqa countryside.", "SYR", "Raqqa"),
        ("On Monday, a landmine exploded in Sinjar area in Hama countryside, wounding a shepherd.", "SYR", "Hama"),
        # A seat whose name is a province in several countries gets no such weight.
        ("On Friday, in San Juan (San Juan), merchants drove in a motorcade to protest the lockdown in "
         "Argentina.", "ARG", "San Juan"),
    ],
)  # fmt: skip
def test_a_province_seat_name_outvotes_a_namesake_town_abroad(nlp, text: str, iso3: str, admin1: str) -> None:
    ctx = _ctx(nlp(text))
    assert (ctx.iso3, ctx.admin1) == (iso3, admin1)


def _place_named(nlp, text: str, name: str):
    doc = nlp(text)
    found = _by_text(find_places(doc[:], _ctx(doc)))
    return found[name].place


@pytest.mark.parametrize(
    ("text", "name", "where"),
    [
        # The unit that holds the town, though a namesake unit abroad ranks first (Brazil's Laguna).
        ("Gunmen shot a village councillor in Calamba, Laguna, on Sunday.", "Calamba", ("PHL", "Calabarzon")),
        # A unit named after generic words ("sector area") still encloses the name before them; a town of
        # that name elsewhere in the country is not it.
        ("Troops exchanged fire at Shahpur sector area (Poonch district, J&K) on Monday.", "Shahpur",
         ("IND", "Jammu and Kashmir")),
        # A capital is not moved into a namesake unit abroad (Bella Vista is a quarter of Panama City) ...
        ("In Panama City (Bella Vista), residents protested on Monday.", "Panama City", ("PAN", "Panama")),
        # ... but a name many countries share goes into the unit the chain names.
        ("A man was shot dead in San Carlos, Negros Occidental, on Sunday.", "San Carlos",
         ("PHL", "Western Visayas")),
        # A city's quarter the gazetteer lacks is coded to the city ...
        ("Teachers rallied outside parliament [coded to Athens-Central Athens] on Friday.", "Athens-Central",
         ("GRC", "Attica")),
        ("The monitors counted 8 explosions near Donetsk-Kirovskyi in Ukraine.", "Donetsk-Kirovskyi",
         ("UKR", "Donetsk")),
        # ... and a big town abroad is no reading of a small town in the country's own province.
        ("Kurdish-led forces arrested young men in Mansura city in Ar-Raqqa countryside.", "Mansura city",
         ("SYR", "Raqqa")),
    ],
)  # fmt: skip
def test_a_chain_of_units_places_the_name_before_it(
    nlp, text: str, name: str, where: tuple[str, str]
) -> None:
    place = _place_named(nlp, text, name)
    assert place is not None and (place.iso3, place.admin1) == where


def test_a_two_part_village_name_is_not_a_city_quarter(nlp) -> None:
    doc = nlp("The monitors counted 8 explosions near Orikhove-Donetske in Ukraine.")
    found = _by_text(find_places(doc[:], _ctx(doc)))
    assert "Orikhove-Donetske" not in found or found["Orikhove-Donetske"].place is None


def test_a_province_seat_abroad_named_after_a_preposition_is_kept(nlp) -> None:
    # "Dar'a" (tagged an organisation) reads as the town Dara, seat of Daraa: a landmark even when a
    # Jordanian province named first sets the article's country.
    doc = nlp("A roadside bomb planted in Karak area in Dar'a went off on Friday.")
    found = _by_text(find_places(doc[:], _ctx(doc)))
    assert found["Dar'a"].place is not None and (found["Dar'a"].place.iso3, found["Dar'a"].place.admin1) == (
        "SYR",
        "Daraa",
    )


@pytest.mark.parametrize(
    ("text", "name", "admin1"),
    [
        # The gazetteer's Lozove are in Crimea and Khmelnytskyi; the monitors' is on the contact line.
        ("The OSCE SMM recorded 6 explosions near Lozove on Saturday.", "Lozove", None),
        ("The OSCE SMM recorded 6 explosions near Avdiivka on Saturday.", "Avdiivka", "Donetsk"),
    ],
)
def test_a_theatre_report_does_not_place_a_village_at_a_namesake_far_away(
    nlp, text: str, name: str, admin1: str | None
) -> None:
    doc = nlp(text)
    found = _by_text(find_places(doc[:], _ctx(doc)))
    place = found[name].place
    assert (place.admin1 if place else None) == admin1


@pytest.mark.parametrize(
    ("text", "iso3"),
    [
        ("On Monday, QSD fighters clashed with gunmen near Gharibah.", "SYR"),
        ("On Monday, Imbonerakure beat two opposition members in Kibungere.", "BDI"),
    ],
)
def test_a_group_of_one_country_names_the_country(nlp, text: str, iso3: str) -> None:
    # Villages the gazetteer lacks, and no country named: the group's own country is the article's.
    assert _ctx(nlp(text)).iso3 == iso3


def test_groups_of_several_countries_or_context_words_name_none(nlp) -> None:
    from frontlines.extract.actors import get_resolver

    doc = nlp("Islamic State and Al Shabaab fighters, and separatists, were seen; the NPA was not.")
    assert get_resolver().countries_named(doc) == {"Philippines"}


def test_a_province_the_ner_calls_a_date_still_encloses_the_place(nlp) -> None:
    # The NER tags "Dahuk" DATE; only a real date word ("March 17") closes a chain of units.
    doc = nlp("Jets struck positions in Haftanin region of Dahuk, Northern Iraq, on Tuesday.")
    found = _by_text(find_places(doc[:], _ctx(doc)))
    assert found["Haftanin region"].place is not None and found["Haftanin region"].place.admin1 == "Duhok"


def test_a_road_between_two_cities_is_not_a_quarter_of_the_first(nlp) -> None:
    doc = nlp("Gunmen attacked an army base along the Kabul-Kandahar highway in Nani, Ghazni, Afghanistan.")
    found = find_places(doc[:], _ctx(doc))
    assert all(m.place is None or m.place.admin1 != "Kabul" for m in found)
    assert any(m.place is not None and m.place.admin1 == "Ghazni" for m in found)


def test_a_road_named_alone_is_placed_near_its_first_end(nlp) -> None:
    doc = nlp("Protesters blocked the Sidon-Tyr highway in Lebanon on Tuesday.")
    found = [m for m in find_places(doc[:], _ctx(doc)) if m.place is not None and m.place.kind == "city"]
    assert [(m.place.name, m.near) for m in found] == [("Sidon", True)]
