"""Actor resolution: named aliases, generic heads, context and regime naming, offsets, and a measurement
against ACLED's 2020 export (skipped when ../shared/eval-data is absent)."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
import spacy

from frontlines.extract.actors import find_actors, get_resolver, main_actor, state_forces
from frontlines.extract.mentions import Actor

AFG = "Afghanistan"
MF_AFG = "Military Forces of Afghanistan (2014-2021)"
PF_AFG = "Police Forces of Afghanistan (2014-2021)"
TALIBAN = Actor("Taliban", "Rebel group", AFG)
ACLED_2020 = (
    Path(__file__).resolve().parents[2] / "shared/eval-data/acled-2020/acled_2020_not_afghanistan.csv"
)


def name(text: str, **kw) -> str | None:
    actor = get_resolver().resolve(text, **kw)
    return actor.name if actor else None


# --- named aliases, Afghanistan 2021 -------------------------------------------------------------------
@pytest.mark.parametrize(
    "text,expected",
    [
        ("the Taliban", "Taliban"),
        ("Taliban fighters", "Taliban"),
        ("the Islamic Emirate", "Taliban"),
        ("the International Security Assistance Force", "NATO: North Atlantic Treaty Organization"),
        ("the Afghan Air Force", MF_AFG),
        ("ANDSF", MF_AFG),
        ("the ANA", MF_AFG),
        ("Afghan commandos", MF_AFG),
        ("Afghan special forces", MF_AFG),
        ("the National Directorate of Security", MF_AFG),
        ("Afghan troops", MF_AFG),
        ("the ANP", PF_AFG),
        ("Afghan local police", PF_AFG),
        ("ISKP", "Islamic State (Afghanistan)"),
        ("Islamic State Khorasan Province", "Islamic State (Afghanistan)"),
        ("the Haqqani network", "Haqqani Network"),
        ("pro-government militias", "Militia (Pro-Government)"),
        ("public uprising forces", "Militia (Pro-Government)"),
        ("NATO troops", "NATO: North Atlantic Treaty Organization"),
    ],
)
def test_afghan_aliases(text: str, expected: str) -> None:
    assert name(text, country=AFG, on=date(2021, 7, 10)) == expected


def test_context_only_aliases_need_the_country() -> None:
    # "local police" and "commandos" are Afghan forces only in an Afghan article.
    assert name("local police", country=AFG) == PF_AFG
    assert name("commandos", country=AFG) == MF_AFG
    assert name("special forces", country="Iraq") == "Military Forces of Iraq (2018-)"
    assert name("foreign forces", country=AFG) == "NATO: North Atlantic Treaty Organization"
    assert name("foreign forces", country="Mali") is None


def test_generic_state_forces_in_afghanistan() -> None:
    assert name("government forces", country=AFG) == MF_AFG
    assert name("security forces", country=AFG) == MF_AFG
    assert name("soldiers", country=AFG) == MF_AFG
    assert name("police", country=AFG) == PF_AFG
    assert name("border police officers", country=AFG) == PF_AFG
    assert name("army officers", country=AFG) == MF_AFG


def test_foreign_forces_are_external() -> None:
    r = get_resolver()
    pak = r.resolve("Pakistani troops", country=AFG)
    assert pak == Actor("Military Forces of Pakistan (2018-)", "External/Other forces", "Pakistan")
    assert name("Iranian border guards", country=AFG) == "Military Forces of Iran (1989-)"
    assert name("Tajik soldiers", country=AFG) == "Military Forces of Tajikistan (1994-)"
    assert r.resolve("Tajik soldiers", country="Tajikistan").inter == "State forces"


def test_crowds_and_unidentified() -> None:
    assert name("civilians", country=AFG) == "Civilians (Afghanistan)"
    assert name("villagers", country=AFG) == "Civilians (Afghanistan)"
    assert name("protesters", country=AFG) == "Protesters (Afghanistan)"
    assert name("demonstrators", country="India") == "Protesters (India)"
    assert name("rioters", country="Lebanon") == "Rioters (Lebanon)"
    gunmen = get_resolver().resolve("unidentified gunmen", country=AFG)
    assert gunmen == Actor("Unidentified Armed Group (Afghanistan)", "Political militia", AFG)
    assert name("armed men", country="Kenya") == "Unidentified Armed Group (Kenya)"
    assert name("a woman", country="Kenya") == "Civilians (Kenya)"
    assert name("two schoolchildren", country="Kenya") == "Civilians (Kenya)"
    assert name("masked men", country="Kenya") == "Unidentified Armed Group (Kenya)"
    # A nationality on a crowd names its country, as ACLED names civilians by nationality.
    assert name("Afghan villagers", country="Iran") == "Civilians (Afghanistan)"


def test_insurgents_resolve_to_main_actor() -> None:
    for word in ["insurgents", "militants", "the group", "fighters", "attackers"]:
        assert name(word, country=AFG, main_actor=TALIBAN) == "Taliban", word
        assert name(word, country=AFG) == "Unidentified Armed Group (Afghanistan)", word
    # Unknown attackers stay unidentified even when the article has a main actor.
    assert (
        name("unknown attackers", country=AFG, main_actor=TALIBAN) == "Unidentified Armed Group (Afghanistan)"
    )
    # "a group of farmers" is not an anaphor for the main actor.
    assert name("a group", country=AFG, main_actor=TALIBAN) is None


def test_regime_naming_by_date() -> None:
    before, after = date(2021, 8, 1), date(2021, 9, 1)
    assert get_resolver().resolve("the Taliban", on=before) == TALIBAN
    taliban_after = get_resolver().resolve("the Taliban", on=after)
    assert taliban_after == Actor("Military Forces of Afghanistan (2021-)", "State forces", AFG)
    assert name("the Taliban", on=date(2021, 8, 15)) == "Taliban"
    assert name("Afghan soldiers", on=after) == "Military Forces of Afghanistan (2021-)"
    assert (
        name("US troops", country=AFG, on=date(2020, 6, 1))
        == "Military Forces of the United States (2017-2021)"
    )
    assert (
        name("US troops", country=AFG, on=date(2021, 6, 1)) == "Military Forces of the United States (2021-)"
    )
    assert state_forces(AFG, "police", on=after).name == "Police Forces of Afghanistan (2021-)"


@pytest.mark.parametrize(
    "text,country,expected",
    [
        ("Nigerian soldiers", None, "Military Forces of Nigeria (2015-)"),
        ("the army of Nigeria", None, "Military Forces of Nigeria (2015-)"),
        ("Filipino police officers", None, "Police Forces of the Philippines (2016-)"),
        ("Congolese troops", None, "Military Forces of the Democratic Republic of Congo (2019-)"),
        ("Kenyan police", None, "Police Forces of Kenya (2013-)"),
        ("gendarmes", "Cameroon", "Military Forces of Cameroon (1982-) Gendarmerie"),
        ("Saudi jets", "Yemen", "Operation Restoring Hope"),
        ("Houthi rebels", "Yemen", "Military Forces of Yemen (2016-) Supreme Political Council"),
        ("Al-Shabaab militants", "Somalia", "Al Shabaab"),
        ("Islamic State fighters", "Iraq", "Islamic State (Iraq)"),
        ("German soldiers", AFG, "Military Forces of Germany"),  # no regime years known: none invented
        ("us troops", "Iraq", "Military Forces of Iraq (2018-)"),  # lower-case "us" is a pronoun
        ("FARDC soldiers", None, "Military Forces of the Democratic Republic of Congo (2019-)"),
        ("United States air force", "Somalia", "Military Forces of the United States (2021-)"),
        ("South African police", None, "Police Forces of South Africa (1994-)"),
        ("Israeli airstrikes", "Syria", "Military Forces of Israel (2009-)"),
        ("airstrikes", "Syria", None),  # whose strikes is not said: not the article's state by default
        ("Govt forces", "Somalia", "Military Forces of Somalia (2017-)"),
        ("the anti-cult police unit", "Nigeria", "Police Forces of Nigeria (2015-)"),
    ],
)
def test_world_actors(text: str, country: str | None, expected: str | None) -> None:
    assert name(text, country=country) == expected


def test_not_actors() -> None:
    for text in ["Kandahar", "the governor", "a spokesman", "Afghan", "the district", "forces", "officers"]:
        assert name(text, country=AFG) is None, text
    assert name("soldiers") is None  # a state's forces cannot be named without a state
    assert name("its last troops", country=AFG) is None  # whose troops is not known from the phrase
    assert name("a security belt", country=AFG) is None


def test_find_actors_offsets_and_kinds(nlp) -> None:
    text = (
        "On Tuesday night Taliban fighters overran two checkpoints as Afghan commandos withdrew, "
        "while unknown gunmen shot three villagers and Pakistani troops shelled the area."
    )
    doc = nlp(text)
    found = find_actors(doc, country=AFG, main_actor=None, on=date(2021, 7, 6))
    for m in found:
        assert m.text == text[m.start : m.end]
    got = {(m.text, m.actor.name) for m in found}
    assert ("Taliban fighters", "Taliban") in got
    assert ("Afghan commandos", MF_AFG) in got
    assert ("unknown gunmen", "Unidentified Armed Group (Afghanistan)") in got
    assert ("three villagers", "Civilians (Afghanistan)") in got
    assert ("Pakistani troops", "Military Forces of Pakistan (2018-)") in got
    assert not any("Tuesday" in m.text or "checkpoints" in m.text for m in found)


def test_find_actors_in_a_sentence_span(nlp) -> None:
    doc = nlp("Fighting went on for days. The militants attacked a police post in the city.")
    sent = list(doc.sents)[1]
    found = find_actors(sent, country=AFG, main_actor=TALIBAN)
    assert [(m.text, m.actor.name) for m in found] == [("The militants", "Taliban"), ("police", PF_AFG)]
    assert all(doc.text[m.start : m.end] == m.text for m in found)


def test_unparsed_doc_still_gets_aliases() -> None:
    doc = spacy.blank("en")("Taliban fighters and Afghan troops fought; protesters marched.")
    found = [(m.text, m.actor.name) for m in find_actors(doc, country=AFG, main_actor=None)]
    assert ("Taliban fighters", "Taliban") in found
    assert ("Afghan troops", MF_AFG) in found


def test_protest_subjects_are_protesters(nlp) -> None:
    doc = nlp("Hundreds of teachers protested outside the ministry, and later the farmers held a rally.")
    found = find_actors(doc, country="Peru", main_actor=None)
    names = [(m.text, m.actor.name) for m in found]
    assert ("Hundreds of teachers", "Protesters (Peru)") in names
    assert ("the farmers", "Protesters (Peru)") in names
    assert not any(n == "Civilians (Peru)" for _, n in names)


def test_violent_crowds_are_rioters(nlp) -> None:
    doc = nlp("A crowd of villagers pelted stones at the police station, while soldiers burned two trucks.")
    found = [(m.text, m.actor.name) for m in find_actors(doc, country="Chad", main_actor=None)]
    assert ("A crowd of villagers", "Rioters (Chad)") in found
    assert ("soldiers", "Military Forces of Chad (1990-)") in found
    assert not any(n == "Rioters (Chad)" and "soldiers" in t for t, n in found)
    # "a group of police" clashing is police, not a crowd.
    doc = nlp("A group of police clashed with soldiers at a checkpoint.")
    found = [(m.text, m.actor.name) for m in find_actors(doc, country="Chad", main_actor=None)]
    assert ("police", "Police Forces of Chad (1990-)") in found
    assert not any(n.startswith("Rioters") for _, n in found)


def _found(nlp, text: str, country: str) -> list[tuple[str, str]]:
    return [(m.text, m.actor.name) for m in find_actors(nlp(text), country=country, main_actor=None)]


def test_protest_subject_through_purpose_and_relative_clauses(nlp) -> None:
    # "to protest" shares the subject of the clause it completes.
    found = _found(nlp, "About thirty farmers drove to the town hall to protest against the new tax.", "Peru")
    assert ("About thirty farmers", "Protesters (Peru)") in found
    assert not any(n == "Civilians (Peru)" for _, n in found)
    # "who were protesting" stands for its antecedent, not for the pronoun.
    found = _found(nlp, "Guards fired rubber bullets at inmates who were protesting.", "Peru")
    assert ("inmates", "Protesters (Peru)") in found
    assert not any(t == "who" for t, _ in found)


def test_protest_noun_as_compound_of_the_object(nlp) -> None:
    found = _found(nlp, "Villagers held a protest sit-in outside the district office.", "Kenya")
    assert ("Villagers", "Protesters (Kenya)") in found


def test_relative_clause_crowd_attacking_is_rioters(nlp) -> None:
    found = _found(nlp, "Police dispersed a crowd that attacked a bus depot.", "Kenya")
    assert ("a crowd", "Rioters (Kenya)") in found


def test_armed_men_attacking_are_an_armed_group_not_rioters(nlp) -> None:
    found = _found(nlp, "Three armed men attacked a shopkeeper in the market.", "Honduras")
    assert ("Three armed men", "Unidentified Armed Group (Honduras)") in found
    assert not any(n.startswith("Rioters") for _, n in found)


def test_military_as_adjective_of_an_actor_noun_is_one_mention(nlp) -> None:
    found = _found(nlp, "The military forces of Armenia shelled the village.", "Azerbaijan")
    assert found == [("The military forces", "Military Forces of Armenia (2018-)")]


def test_named_match_inside_a_sentence_span(nlp) -> None:
    doc = nlp("The district was quiet. Later the Taliban and ANDSF units fought near the river.")
    sent = list(doc.sents)[1]
    found = find_actors(sent, country=AFG, main_actor=None, on=date(2021, 7, 1))
    assert [(m.text, m.actor.name) for m in found] == [("Taliban", "Taliban"), ("ANDSF units", MF_AFG)]
    assert all(doc.text[m.start : m.end] == m.text for m in found)


def test_main_actor(nlp) -> None:
    doc = nlp(
        "The Taliban attacked Lashkar Gah. Government forces and the Taliban fought for hours. "
        "Officials blamed the Haqqani network for a separate bombing. Taliban fighters later withdrew."
    )
    assert main_actor(doc, AFG) == TALIBAN
    assert main_actor(nlp("Soldiers and police patrolled the market."), AFG) is None


def test_main_actor_drives_generic_mentions(nlp) -> None:
    doc = nlp("Boko Haram fighters raided a village in Borno. The insurgents burned homes.")
    top = main_actor(doc, "Nigeria")
    assert top is not None and "Boko Haram" in top.name
    found = find_actors(doc, country="Nigeria", main_actor=top)
    assert [m.actor.name for m in found if m.text == "The insurgents"] == [top.name]


def test_acled_2020_actor1_recall(nlp) -> None:
    """Fraction of ACLED rows whose gold actor1 (actor2) is among the actors found in the notes (every 3rd row)."""
    if not ACLED_2020.exists():
        pytest.skip("ACLED 2020 eval data not present")
    import csv

    with ACLED_2020.open(encoding="utf-8") as fh:
        rows = [r for i, r in enumerate(csv.DictReader(fh)) if i % 3 == 0 and r["notes"]]
    hits = hits2 = rows2 = 0
    for row, doc in zip(rows, nlp.pipe((r["notes"] for r in rows), batch_size=64), strict=True):
        on = datetime.strptime(row["event_date"], "%d-%b-%y").date()  # ACLED export style: 9-May-20
        country = row["country"] or None
        top = main_actor(doc, country, on)
        found = {m.actor.name for m in find_actors(doc, country=country, main_actor=top, on=on) if m.actor}
        hits += row["actor1"] in found
        if row["actor2"]:
            rows2 += 1
            hits2 += row["actor2"] in found
    rate, rate2 = hits / len(rows), hits2 / rows2
    print(f"\nACLED 2020 recall on {len(rows)} rows: actor1 {rate:.3f}, actor2 {rate2:.3f} ({rows2} rows)")
    assert rate >= 0.64
    assert rate2 >= 0.58


def test_affiliation_names_the_group(nlp) -> None:
    found = _found(nlp, "Opposition rebels under OPS burned a farm near the border.", "Syria")
    assert found[0] == ("Opposition rebels", "Operation Peace Spring")
    found = _found(nlp, "Fighters of Al Shabaab ambushed a convoy.", "Somalia")
    assert found[0] == ("Fighters", "Al Shabaab")
    # Civilians "of" a group stay civilians.
    found = _found(nlp, "Relatives of PKK members gathered in the square.", "Turkey")
    assert all(n != "PKK: Kurdistan Workers Party" or t == "PKK" for t, n in found)


@pytest.mark.parametrize(
    "text,country,expected",
    [
        ("the Donetsk People's Militia", "Ukraine", "NAF: United Armed Forces of Novorossiya"),
        ("the people's militia", "Ukraine", "NAF: United Armed Forces of Novorossiya"),
        ("the people's militia", "Peru", None),
        ("the governmental positions", "Ukraine", "Military Forces of Ukraine (2019-)"),
        ("CPI-Maoist cadres", "India", "CPI (Maoist): Communist Party of India (Maoist)"),
        ("EPP members", "Paraguay", "EPP: Paraguayan People's Army"),
        ("the Paraguayan People's Army", "Paraguay", "EPP: Paraguayan People's Army"),
        ("drug traffickers", "Brazil", "Unidentified Gang (Brazil)"),
    ],
)
def test_more_world_actors(text: str, country: str, expected: str | None) -> None:
    assert name(text, country=country) == expected


def test_staged_protest_and_finite_clause_subjects(nlp) -> None:
    # spaCy's lemmatizer reads "staged" as "stag": the surface form must count as the light verb.
    found = _found(nlp, "On 3 June 2020, bus drivers staged a protest outside the depot.", "Kenya")
    assert ("bus drivers", "Protesters (Kenya)") in found
    assert not any(n.startswith("Civilians") for _, n in found)


def test_affiliation_read_from_adjacent_words(nlp) -> None:
    # Whatever the parser attaches "under OPS" to, the words right after the mention decide.
    found = _found(
        nlp, "On 2 June 2020, opposition rebels under OPS seized sheep from a farm in the area.", "Syria"
    )
    assert found[0] == ("opposition rebels", "Operation Peace Spring")


def test_misparsed_protest_clause_still_names_the_crowd(nlp) -> None:
    # The small model may make the noun the root and "protested" its clause; the span stops at the comma.
    found = _found(
        nlp, "On 4 June 2020, about 300 nurses protested in Liberty Square in the capital.", "Chile"
    )
    assert ("about 300 nurses", "Protesters (Chile)") in found


def test_clan_caste_and_tribal_militias(nlp) -> None:
    found = _found(
        nlp, "Militiamen from the Dabare clan clashed with Hodan clan militiamen near the well.", "Somalia"
    )
    assert ("Militiamen", "Dabare Clan Militia (Somalia)") in found
    assert ("Hodan clan militiamen", "Hodan Clan Militia (Somalia)") in found
    found = _found(nlp, "Gunmen from the Warsame sub-clan killed a herder.", "Somalia")
    assert ("Gunmen", "Warsame Sub-Clan Militia (Somalia)") in found
    assert all(i.startswith(("Warsame", "Civilians")) for _, i in found)
    found = _found(nlp, "Members of the Barwa caste attacked a Mehta caste family.", "India")
    assert ("Barwa caste", "Barwa Caste Militia (India)") in found
    assert ("a Mehta caste family", "Civilians (India)") in found
    assert _found(nlp, "Hundreds of tribesmen blocked the road.", "Yemen") == [
        ("tribesmen", "Unidentified Tribal Militia (Yemen)")
    ]
    # A clan that is only talked about is no actor.
    assert _found(nlp, "The dispute was rooted in a clan feud between rival clans.", "Somalia") == []


def test_crowd_hung_on_the_place_is_still_the_subject(nlp) -> None:
    text = "On 2 June 2020, in Toluca, Mexico, around 60 street vendors protested demanding permits to sell."
    found = _found(nlp, text, "Mexico")
    assert ("around 60 street vendors", "Protesters (Mexico)") in found
    text = "On 2 June 2020, in Toluca, Mexico, nurses of a clinic of the state health service protested."
    found = _found(nlp, text, "Mexico")
    assert any(t.startswith("nurses") and n == "Protesters (Mexico)" for t, n in found)
    assert not any(n.startswith("Civilians") for _, n in found)


def test_anti_prefix_is_not_the_group(nlp) -> None:
    found = _found(nlp, "Anti-Houthi National Resistance forces shelled a hill.", "Yemen")
    assert found == [("National Resistance forces", "National Resistance Forces")]


def test_military_describing_a_thing_is_no_actor(nlp) -> None:
    found = _found(nlp, "Rebels seized military equipment near the town.", "Chad")
    assert not any(n.startswith("Military Forces") for _, n in found)
    # ... while a military unit still is one.
    found = _found(nlp, "Army units shelled the town.", "Chad")
    assert any(n == "Military Forces of Chad (1990-)" for _, n in found)
    # Former soldiers are civilians (ACLED): "army veterans" names no military side.
    found = _found(nlp, "Gunmen beat two army veterans outside the market.", "Chad")
    assert not any(n.startswith("Military Forces") for _, n in found)
    assert any(n == "Civilians (Chad)" for _, n in found)


def test_named_ethnic_militia(nlp) -> None:
    assert _found(nlp, "Jukun militias attacked three villages.", "Nigeria")[0] == (
        "Jukun militias",
        "Jukun Ethnic Militia (Nigeria)",
    )
    # A demonym is no ethnic group name, and a bare "militiamen" stays generic.
    assert not any("Ethnic" in n for _, n in _found(nlp, "Chadian militias crossed the border.", "Sudan"))
    assert not any("Ethnic" in n for _, n in _found(nlp, "Militiamen burned a market.", "Sudan"))
