"""The assembler's rules, one small report of our own each (frontlines.extract.pipeline)."""

from __future__ import annotations

from datetime import date

import pytest

from frontlines.records import Claim, Document, Event


@pytest.fixture(scope="module")
def extract():
    from frontlines.extract.pipeline import get_extractor

    ex = get_extractor()

    def run(text: str, published: date = date(2021, 7, 10)) -> list[Event]:
        return [r for r in ex.extract(Document("t", text, published=published)) if isinstance(r, Event)]

    return run


def test_figurative_attack_does_not_turn_a_protest_into_a_battle(extract) -> None:
    events = extract(
        "On Friday, journalists protested in Herat city against the detention of an editor. "
        "Union leaders called the detention an attack on press freedom."
    )
    assert [e.sub_event_type for e in events] == ["Peaceful protest"]


def test_levels_of_one_place_give_one_event_at_the_most_specific(extract) -> None:
    events = extract(
        "On Thursday, gunmen attacked a police checkpoint in Fourth Police District, Kunduz City, Kunduz."
    )
    assert len(events) == 1
    assert events[0].location == "Kunduz - PD4" and events[0].geo_precision == 1


def test_pronoun_subject_is_the_side_last_named(extract) -> None:
    events = extract(
        "Taliban fighters overran Khan Abad district on Monday. They took Imam Sahib district on Tuesday."
    )
    by_place = {e.admin2: e for e in events}
    assert by_place["Imam Sahib"].actor1 == "Taliban"
    assert by_place["Imam Sahib"].event_date == "2021-07-06"


def test_one_sided_violence_on_civilians_is_an_attack(extract) -> None:
    (e,) = extract("On Wednesday, gunmen attacked villagers in Kohsan district, killing four.")
    assert e.event_type == "Violence against civilians" and e.sub_event_type == "Attack"
    assert e.actor2 == "Civilians (Afghanistan)" and e.inter2 == "Civilians"
    assert e.fatalities == 4


def test_country_only_report_is_not_an_event(extract) -> None:
    assert extract("Fighting raged across Afghanistan on Friday, officials said.") == []


def test_captions_history_future_and_negation_are_not_events(extract) -> None:
    text = (
        "Photo: Afghan soldiers in Helmand in 2019.\n\n"
        "The Taliban captured Kandahar in 1994.\n\n"
        "The Taliban threatened to attack Lashkar Gah next week.\n\n"
        "There was no fighting in Gereshk on Friday, residents said."
    )
    assert extract(text) == []


def test_a_total_for_a_month_is_a_claim_not_an_event() -> None:
    from frontlines.extract.pipeline import get_extractor

    recs = get_extractor().extract(
        Document(
            "t",
            "At least 300 soldiers and 120 civilians were killed across Afghanistan in June.",
            published=date(2021, 7, 10),
        )
    )
    assert not [r for r in recs if isinstance(r, Event)]
    (claim,) = [r for r in recs if isinstance(r, Claim)]
    assert claim.metric == "fatalities" and claim.categories == {"security forces": 300, "civilians": 120}


def test_same_event_twice_in_one_report_is_one_record(extract) -> None:
    events = extract(
        "Taliban fighters seized Spin Boldak district on Wednesday. "
        "The capture of Spin Boldak on Wednesday gave the group a major border town."
    )
    assert len(events) == 1
    assert events[0].sub_event_type == "Non-state actor overtakes territory"
    assert len({(ev.start, ev.end) for ev in events[0].evidence}) == len(events[0].evidence)


def test_toll_date_is_not_the_event_date_and_mentions_merge(extract) -> None:
    events = extract(
        "The number of people killed by a bombing in Kandahar city rose to 12 on Sunday, officials said. "
        "The bomb exploded on Saturday evening near a market in Kandahar city.",
        published=date(2021, 5, 9),
    )
    assert len(events) == 1, [(e.event_date, e.location) for e in events]
    (e,) = events
    assert e.event_date == "2021-05-08" and e.time_precision == 1
    assert e.fatalities == 12
    assert e.actor1 != "Civilians (Afghanistan)"


def test_dateline_city_is_not_where_the_event_happened(extract) -> None:
    events = extract(
        "KABUL, Afghanistan — Taliban fighters captured Maiwand district of Kandahar province on Friday."
    )
    assert [(e.admin1, e.admin2) for e in events] == [("Kandahar", "Maiwand")]
    assert (
        extract("KABUL, Afghanistan — Taliban fighters captured a district on Friday, officials said.") == []
    )


def test_dateline_after_a_preamble_dates_the_report_not_the_event(extract) -> None:
    text = (
        "NEWS RELEASE: Joint Command update\n\nKABUL, Afghanistan (July 10, 2021) – Afghan forces detained "
        "two Taliban commanders in Nad Ali district, Helmand province, yesterday."
    )
    events = extract(text, published=date(2021, 7, 10))
    assert [(e.admin1, e.event_date, e.sub_event_type) for e in events] == [
        ("Helmand", "2021-07-09", "Arrests")
    ]


def test_unnamed_perpetrator_is_acled_unidentified_armed_group(extract) -> None:
    (e,) = extract("A roadside bomb killed three civilians in Nad Ali district of Helmand on Monday.")
    assert e.sub_event_type == "Remote explosive/landmine/IED"
    assert (e.actor1, e.inter1) == ("Unidentified Armed Group (Afghanistan)", "Political militia")
    support = {ev.text for ev in e.evidence if "actor1" in ev.fields}
    assert support and support <= {"roadside bomb", "killed"}  # the act that implies a perpetrator
    # One span, several fields: no span is listed twice.
    assert len({(ev.start, ev.end) for ev in e.evidence}) == len(e.evidence)
    assert e.fatalities == 3 and any(
        "fatalities" in ev.fields and ev.text == "three civilians" for ev in e.evidence
    )
    # A battle needs its sides from the text: nothing is invented there.
    events = extract("Heavy fighting was reported in Nad Ali district of Helmand on Monday.")
    assert all(ev.actor1 is None or "Unidentified" not in ev.actor1 for ev in events)


def test_police_arrests_at_a_protest_make_it_a_protest_with_intervention(extract) -> None:
    events = extract(
        "On Saturday, hundreds of women protested in Herat city against the closure of girls' schools. "
        "Police dispersed the crowd and arrested twelve protesters in Herat city."
    )
    assert [e.sub_event_type for e in events] == ["Protest with intervention"], [
        (e.sub_event_type, e.actor1, e.actor2) for e in events
    ]
    assert events[0].actor1.startswith("Protesters") and events[0].actor2.startswith(
        "Police Forces of Afghanistan"
    )


def test_an_attack_on_an_armed_side_is_a_clash(extract) -> None:
    # ACLED: violence against civilians needs civilian victims; a police officer shot dead is a clash.
    officer = extract("On Thursday, gunmen shot dead a police officer at a checkpoint in Kunduz city.")
    shopkeeper = extract("On Thursday, gunmen shot dead a shopkeeper in Kunduz city.")
    assert [e.sub_event_type for e in officer] == ["Armed clash"]
    assert [e.sub_event_type for e in shopkeeper] == ["Attack"]
    off_duty = extract("On Thursday, gunmen killed an off-duty soldier at his home in Kunduz city.")
    assert [e.sub_event_type for e in off_duty] == ["Attack"]


def test_a_shoot_out_is_two_sided(extract) -> None:
    events = extract("On Thursday, a shoot-out broke out between police and smugglers in Zaranj, Nimroz.")
    assert [e.sub_event_type for e in events] == ["Armed clash"]


def test_answered_fire_turns_shelling_into_a_clash(extract) -> None:
    one_sided = extract(
        "On Thursday, Taliban fighters fired mortars at army positions in Nahr-e Saraj, Helmand."
    )
    answered = extract(
        "On Thursday, Taliban fighters fired mortars at army positions in Nahr-e Saraj, Helmand, "
        "and the soldiers returned fire."
    )
    both_ways = extract(
        "On Thursday, explosions were heard in both directions of the front line near Lashkar Gah."
    )
    assert [e.sub_event_type for e in one_sided] == ["Shelling/artillery/missile attack"]
    assert [e.sub_event_type for e in answered] == ["Armed clash"]
    assert [e.sub_event_type for e in both_ways] == ["Armed clash"]


def test_demonstrators_are_actor1_of_their_demonstration(extract) -> None:
    events = extract("On Thursday, police fired tear gas to disperse protesters in Herat city.")
    assert [(e.sub_event_type, e.inter1, e.inter2) for e in events] == [
        ("Protest with intervention", "Protesters", "State forces")
    ]


def test_a_demonstration_whose_crowd_turns_violent_is_one_violent_demonstration(extract) -> None:
    tyres = extract(
        "On Friday, residents demonstrated in Herat city against power cuts. "
        "They blocked the main road and set tyres on fire in Herat city."
    )
    police = extract(
        "On Friday, residents demonstrated in Herat city against power cuts. "
        "Police clashed with the demonstrators in Herat city."
    )
    calm = extract("On Friday, residents demonstrated peacefully in Herat city against power cuts.")
    assert [(e.sub_event_type, e.inter1) for e in tyres] == [("Violent demonstration", "Rioters")]
    assert [(e.sub_event_type, e.inter1, e.inter2) for e in police] == [
        ("Violent demonstration", "Rioters", "State forces")
    ]
    assert [e.sub_event_type for e in calm] == ["Peaceful protest"]


def test_a_group_name_is_never_the_place(extract) -> None:
    # GeoNames lists a Turkish village once called "Taliban"; a report naming no place has no event.
    assert extract("Taliban fighters attacked a checkpoint on Monday.") == []
    (e,) = extract("Taliban fighters attacked a checkpoint in Kunduz on Monday.")
    assert (e.location, e.country) == ("Kunduz", "Afghanistan")


def test_deaths_in_the_fighting_belong_to_the_capture_told_before(extract) -> None:
    events = extract(
        "Taliban fighters captured the Ghoryan district centre in Herat province on Saturday after government "
        "troops withdrew overnight. Four police officers were killed in the fighting before the withdrawal.",
        published=date(2021, 6, 20),
    )
    # One event: the capture, fought for (deaths), so no non-violent transfer, and no second clash.
    assert [(e.sub_event_type, e.fatalities) for e in events] == [("Non-state actor overtakes territory", 4)]


def test_a_report_of_one_day_dates_its_later_undated_paragraphs(extract) -> None:
    events = extract(
        "Afghan commandos detained three militants in Nad Ali district, Helmand province, on Tuesday.\n\n"
        "The raid was prompted by a tip from residents.\n\n"
        "In Kandahar province, the security force arrested two bomb makers after a search of their homes."
    )
    by_place = {e.admin1: e for e in events}
    assert by_place["Helmand"].event_date == "2021-07-06"
    # The second paragraph names no day: it is the day the report named, not the publication date.
    assert by_place["Kandahar"].event_date == "2021-07-06"


def test_a_report_of_several_days_does_not_carry_one_across_paragraphs(extract) -> None:
    events = extract(
        "Afghan commandos detained three militants in Nad Ali district, Helmand province, on Tuesday. "
        "Police arrested a smuggler in Lashkar Gah on Thursday.\n\n"
        "In Kandahar province, the security force arrested two bomb makers after a search of their homes."
    )
    by_place = {e.admin1: e for e in events if e.admin1 == "Kandahar"}
    # Two days named: the undated paragraph is coded, as ACLED does, on the report's date.
    assert by_place["Kandahar"].event_date == "2021-07-10"


def test_a_date_opening_the_sentence_dates_its_event_however_it_is_parsed() -> None:
    # The small model sometimes hangs "7 May 2020" on the subject noun ("workers") as its modifier; set off
    # at the head of the sentence it still dates the clause. The parse is given by hand, as the model gave it.
    from types import SimpleNamespace

    from spacy.tokens import Doc
    from spacy.vocab import Vocab

    from frontlines.extract.mentions import DateMention
    from frontlines.extract.pipeline import _dates_other_noun

    words = ["On", "7", "May", "2020", ",", "in", "Injil", ",", "workers", "protested", "."]
    heads = [9, 2, 8, 2, 9, 9, 5, 9, 9, 9, 9]
    deps = ["prep", "nummod", "nmod", "nummod", "punct", "prep", "pobj", "punct", "nsubj", "ROOT", "punct"]
    pos = ["ADP", "NUM", "PROPN", "NUM", "PUNCT", "ADP", "PROPN", "PUNCT", "NOUN", "VERB", "PUNCT"]
    doc = Doc(Vocab(), words=words, heads=heads, deps=deps, pos=pos)
    date_span = doc[1:4]
    d = DateMention(date_span.start_char, date_span.end_char, date_span.text, None)
    verb = doc[9]
    trig = SimpleNamespace(start=verb.idx, end=verb.idx + len(verb))
    assert not _dates_other_noun(d, trig, doc)
    # Not at the head of its sentence, the same modifier dates the noun ("the 7 May 2020 workers' strike").
    words2 = ["Police", "met", "7", "May", "2020", ",", "workers", "protested", "."]
    doc2 = Doc(
        Vocab(),
        words=words2,
        heads=[1, 1, 3, 6, 3, 7, 7, 1, 7],
        deps=["nsubj", "ROOT", "nummod", "nmod", "nummod", "punct", "nsubj", "conj", "punct"],
        pos=["PROPN", "VERB", "NUM", "PROPN", "NUM", "PUNCT", "NOUN", "VERB", "PUNCT"],
    )
    span2 = doc2[2:5]
    verb2 = doc2[7]
    d2 = DateMention(span2.start_char, span2.end_char, span2.text, None)
    assert _dates_other_noun(d2, SimpleNamespace(start=verb2.idx, end=verb2.idx + len(verb2)), doc2)


def test_a_coders_figure_for_an_unknown_toll_is_the_figure(extract) -> None:
    (e,) = extract(
        "On Tuesday, Taliban fighters attacked an army post in Nad Ali district, killing an unknown number "
        "of soldiers. Unknown fatalities coded as 10."
    )
    assert e.fatalities == 10
    assert any("fatalities" in ev.fields and ev.text == "fatalities coded as 10" for ev in e.evidence)


def test_a_toll_spread_between_places_gives_each_its_share(extract) -> None:
    events = extract(
        "On Tuesday, Taliban fighters exchanged fire with police on the fronts of Nad Ali (Helmand) and "
        "Maiwand (Kandahar), incurring fatalities. Fatalities coded as 10 and spread between 2 locations."
    )
    assert sorted((e.admin1, e.fatalities) for e in events) == [("Helmand", 5), ("Kandahar", 5)]
    assert all(any("fatalities" in ev.fields for ev in e.evidence) for e in events)


def test_a_figure_opening_a_sentence_stays_in_it(extract) -> None:
    # The parser made "14" a sentence of its own, so the toll never reached the clash.
    (e,) = extract(
        "On Monday, troops clashed with insurgents near Khanabad. 14 Haqqani network fighters were killed "
        "in the fight."
    )
    assert e.fatalities == 14


def test_arrests_at_a_protest_told_in_the_next_sentence_make_it_a_protest_with_intervention(extract) -> None:
    (e,) = extract(
        "On 7 July 2021, at least 20 party members held protests in Herat city against the closure of "
        "schools. Police arrested 20 protesters."
    )
    assert e.sub_event_type == "Protest with intervention"
    assert e.inter2 == "State forces"


def test_a_shootout_with_no_side_named_is_an_unidentified_armed_group(extract) -> None:
    (event,) = extract("On Tuesday, residents reported that a shoot-out took place in Kunduz city overnight.")
    assert event.sub_event_type == "Armed clash"
    assert event.actor1 == "Unidentified Armed Group (Afghanistan)"
    assert any("actor1" in e.fields and e.text == "shoot-out" for e in event.evidence)


def test_named_sides_or_counted_shots_get_no_unidentified_group(extract) -> None:
    # Sides the actor dictionary does not know are named all the same: no "unidentified" group.
    events = extract(
        "On Tuesday, clashes broke out between the Tiger Brigade and the Lions Battalion in Kunduz."
    )
    assert [e.actor1 for e in events] == [None]
    # A monitor's count of shots names no fight.
    events = extract("On Tuesday, monitors recorded 40 shots of small-arms fire near Kunduz city.")
    assert all(e.actor1 is None for e in events)


def test_seizing_a_measure_of_goods_is_property_not_territory(extract) -> None:
    events = extract(
        "On Tuesday, border police seized two tonnes of hashish hidden in a truck near Herat city."
    )
    assert [e.sub_event_type for e in events] == ["Looting/property destruction"]


def test_a_name_with_a_lower_case_particle_is_one_unit_of_the_chain(extract) -> None:
    (event,) = extract(
        "On 4 May 2020, in Dourados, Mato Grosso do Sul, police clashed with smugglers.", date(2020, 5, 6)
    )
    assert (event.location, event.admin1) == ("Dourados", "Mato Grosso do Sul")


def test_a_province_named_like_its_capital_is_no_second_place(extract) -> None:
    # "Rio de Janeiro" after the town is the town's state, though the gazetteer reads it as the city.
    events = extract(
        "On 4 May 2020, in Nova Iguacu, Rio de Janeiro, police clashed with gunmen.", date(2020, 5, 6)
    )
    assert [(e.location, e.admin1) for e in events] == [("Nova Iguacu", "Rio de Janeiro")]


def test_grievances_in_a_protest_are_not_captures(extract) -> None:
    events = extract(
        "On Monday, villagers held a protest in Kunduz city against occupation of their farmland by powerful people."
    )
    assert [e.sub_event_type for e in events] == ["Peaceful protest"]


def test_taking_people_back_is_not_retaking_ground(extract) -> None:
    events = extract("On Monday, the army sent buses to take back stranded soldiers from Herat city.")
    assert "Government regains territory" not in [e.sub_event_type for e in events]


def test_a_date_in_a_clause_on_a_name_dates_the_name_not_the_event(extract) -> None:
    events = extract(
        "On Monday, employees of the Herat Cement Company, which shut down three years ago, held a protest "
        "in Herat city against unpaid wages."
    )
    assert [(e.sub_event_type, e.event_date) for e in events] == [("Peaceful protest", "2021-07-05")]


def test_a_note_on_the_opening_date_keeps_it_the_events_date(extract) -> None:
    from frontlines.extract.mentions import DateMention
    from frontlines.extract.pipeline import _opens_sentence
    from frontlines.nlp import load_nlp

    events = extract(
        "Around 3 July 2021 (as reported), in the old city of Herat, shopkeepers protested over new taxes.",
        date(2021, 7, 10),
    )
    assert [e.event_date for e in events] == ["2021-07-03"]
    # However the parser hangs "3 July 2021", a date set off at the head of the sentence with a note in
    # brackets dates the clause.
    for text in (
        "Around 3 July 2021 (as reported), in Herat, shopkeepers protested.",
        "Around 3 July 2021 (week of), in Herat, shopkeepers protested.",
    ):
        doc = load_nlp()(text)
        start = text.index("3 July")
        assert _opens_sentence(DateMention(start, start + 11, "3 July 2021", None), doc)


def test_hyphenated_recapture_is_a_retaking(extract) -> None:
    events = extract("On Friday, Afghan commandos re-captured Khanabad district of Kunduz province.")
    assert "Government regains territory" in [e.sub_event_type for e in events]


def test_according_to_is_a_source_and_a_beaten_veteran_is_attacked(extract) -> None:
    events = extract(
        "On Monday, according to their families, two veterans were badly beaten by unknown men in Herat city."
    )
    assert [e.sub_event_type for e in events] == ["Attack"]


def test_a_village_the_gazetteer_lacks_keeps_its_event_at_its_name(extract) -> None:
    (e,) = extract(
        "On Monday, residents protested in Velykobrodske, Ukraine, demanding repairs to the water supply."
    )
    assert e.sub_event_type == "Peaceful protest" and e.event_date == "2021-07-05"
    assert (e.location, e.country, e.iso3) == ("Velykobrodske", "Ukraine", "UKR")
    # Nothing the text does not give: no province, no coordinates; the precision says "in", not "near".
    assert e.admin1 is None and e.latitude is None and e.longitude is None and e.geo_precision == 1
    (where,) = [x for x in e.evidence if "location" in x.fields]
    assert where.text == "Velykobrodske" and "latitude" not in where.fields
    (near,) = extract("On Sunday, the monitors recorded shelling near Velykobrodske, Ukraine.")
    assert near.location == "Velykobrodske" and near.geo_precision == 2
    # With no country to put it in, an unknown name is still no event.
    assert (
        extract("On Monday, residents protested in Velykobrodske demanding repairs to the water supply.")
        == []
    )


def test_a_sentence_that_disowns_its_place_inherits_none(extract) -> None:
    events = extract(
        "On Tuesday, rebels fired mortars at army positions near Avdiivka, Donetsk. "
        "During the day, three Ukrainian soldiers were wounded at unspecified locations."
    )
    assert [e.sub_event_type for e in events] == ["Shelling/artillery/missile attack"]


def test_the_province_after_in_locates_a_village_read_as_an_organisation(extract) -> None:
    # The NER reads "Bara in Idleb" as one organisation; the province after "in" still places the event.
    (e,) = extract("On Thursday, regime forces shelled Bara in Idleb using rockets.")
    assert e.sub_event_type == "Shelling/artillery/missile attack"
    assert (e.iso3, e.admin1) == ("SYR", "Idlib")


def test_a_nationality_tagged_as_a_place_is_no_namesake_town(extract) -> None:
    (e,) = extract(
        "On Wednesday, people protested in Lutsk against the possible arrest of Ukrainian activist "
        "Petro Melnyk on suspicion of assault."
    )
    assert (e.location, e.admin1, e.iso3) == ("Lutsk", "Volyn", "UKR")


def test_a_part_of_a_city_is_coded_to_the_city(extract) -> None:
    (e,) = extract("On Friday, hundreds of teachers rallied in Central Beirut against unpaid salaries.")
    assert (e.location, e.iso3, e.geo_precision) == ("Beirut", "LBN", 1)
    assert e.actor1 == "Protesters (Lebanon)"


def test_a_province_under_its_english_news_name_places_the_event(extract) -> None:
    # "Rural Damascus" is GeoNames' Rif-dimashq: without the name the report had no country, and no event.
    events = extract(
        "On 8 May 2020, unidentified gunmen shot dead an off-duty soldier outside his home in Bait Jan in "
        "Rural Damascus.",
        published=date(2020, 5, 11),
    )
    assert events, "no event"
    assert {(e.country, e.admin1) for e in events} == {("Syria", "Rif-dimashq")}


def test_a_neighbourhood_is_part_of_the_city_not_a_namesake_town_elsewhere(extract) -> None:
    # Santa Maria is a city in Rio Grande do Sul; "Santa Maria neighborhood" in Aracaju is not it.
    events = extract(
        "On 7 May 2020, in Aracaju, Sergipe, police shot dead a man during a patrol in Santa Maria neighborhood.",
        published=date(2020, 5, 11),
    )
    assert events, "no event"
    assert {(e.admin1, e.location) for e in events} == {("Sergipe", "Aracaju")}


@pytest.mark.parametrize(
    "text",
    [
        "On Monday, about 40 employees demonstrated outside the factory in Port Elizabeth, demanding their "
        "wages. Police intervened.",
        "On Friday, a dozen workers staged a demonstration in Rodriguez, Rizal. They were arrested for breaking "
        "quarantine rules.",
        "On Friday, surfers held a demonstration at Muizenberg beach in Cape Town. Several arrests were made.",
    ],
)
def test_police_acting_on_a_protest_in_the_next_sentence_make_it_a_protest_with_intervention(
    extract, text: str
) -> None:
    events = extract(text, published=date(2020, 5, 11))
    assert [e.sub_event_type for e in events] == ["Protest with intervention"]


def test_the_arrest_a_protest_is_about_is_no_intervention(extract) -> None:
    events = extract(
        "On Friday, journalists protested in Hyderabad against the arrest of an editor. His arrest is seen as "
        "an attack on the press. He was arrested in connection with a tax case.",
        published=date(2020, 5, 11),
    )
    assert [e.sub_event_type for e in events] == ["Peaceful protest"]


def test_a_place_the_ner_misreads_after_in(extract) -> None:
    # "in X, Y" read as one organisation, and the parse hanging it on the subject
    events = extract(
        "On 4 May 2020, in Paucarpata, Arequipa, municipal cleaning workers staged a demonstration demanding masks.",
        published=date(2020, 5, 11),
    )
    assert [(e.location, e.admin1) for e in events] == [("Paucarpata", "Arequipa")]


def test_a_body_whose_signs_of_violence_are_told_in_the_next_sentence_is_a_killing(extract) -> None:
    events = extract(
        "On Tuesday, the body of a man was found in a field outside Juchitan, Oaxaca. He had been shot and "
        "his hands were tied.",
        published=date(2020, 5, 1),
    )
    assert [(e.sub_event_type, e.fatalities) for e in events] == [("Attack", 1)]
    drowned = extract(
        "On Tuesday, the body of a man was found in a river outside Juchitan, Oaxaca. Officials said he drowned.",
        published=date(2020, 5, 1),
    )
    assert drowned == []


def test_a_sentence_that_only_says_where_locates_the_event_before_it(extract) -> None:
    events = extract(
        "On Thursday, unidentified arsonists set fire to a vehicle belonging to a logistics company. "
        "The incident occurred in Thessaloniki.",
        published=date(2020, 5, 5),
    )
    assert [(e.sub_event_type, e.location, e.admin1) for e in events] == [
        ("Looting/property destruction", "Thessaloniki", "Central Macedonia")
    ]
    # The locating sentence is the evidence of the place.
    assert any(ev.text == "Thessaloniki" for ev in events[0].evidence)


def test_a_village_the_gazetteer_lacks_keeps_its_event(extract) -> None:
    # Monitors' counts name villages too small for the gazetteer; the country comes from the report.
    events = extract(
        "In Ukraine, on 30 April 2020, the monitors observed a total of 6 explosions involving unknown "
        "weapons near Mineralne.",
        published=date(2020, 5, 5),
    )
    assert [(e.sub_event_type, e.location, e.country, e.admin1, e.latitude) for e in events] == [
        ("Shelling/artillery/missile attack", "Mineralne", "Ukraine", None, None)
    ]


def test_an_event_is_put_at_the_nearest_name_it_is_said_to_happen_in(extract) -> None:
    # The place chosen first ("following the Sardoba dam burst") is not where the protest was; the
    # nearest name the text puts it at is ("at the local school in Atakent town").
    events = extract(
        "On Tuesday, 20-30 women protesters from Zhenys village demonstrated at the local school in "
        "Atakent town of Maktaaral district demanding new homes from the Kazakh government after their "
        "village was flooded following the Sardoba dam burst in Uzbekistan.",
        published=date(2020, 5, 10),
    )
    assert [(e.sub_event_type, e.location) for e in events] == [("Peaceful protest", "Atakent")]


def test_a_shoot_out_told_after_its_place_is_an_event_though_no_side_is_named(extract) -> None:
    events = extract(
        "On Monday, police officers went to the Danon community in Nova Iguacu, Rio de Janeiro. "
        "An intense shoot-out broke out.",
        published=date(2020, 5, 10),
    )
    assert [(e.sub_event_type, e.location) for e in events] == [("Armed clash", "Nova Iguacu")]


def test_a_village_named_by_its_kind_is_where_the_event_is() -> None:
    from frontlines.extract.mentions import PlaceMention, SentenceContext
    from frontlines.extract.pipeline import _unplaced_name
    from frontlines.nlp import load_nlp

    text = "On Tuesday, olive trees owned by farmers were cut down in the village of Jiftlik."
    doc = load_nlp()(text)
    start = text.index("Jiftlik")
    mention = PlaceMention(start, start + len("Jiftlik"), "Jiftlik", None)
    ctx = SentenceContext(published=None, country="Palestine", iso3="PSE")
    assert _unplaced_name(mention, doc, ctx) == "Jiftlik"
    # Named as an owner, not as where: no place.
    text = "On Tuesday, olive trees owned by the family of Jiftlik were cut down."
    doc = load_nlp()(text)
    start = text.index("Jiftlik")
    assert _unplaced_name(PlaceMention(start, start + 7, "Jiftlik", None), doc, ctx) is None


def test_a_town_and_its_bare_province_name_are_one_place(extract) -> None:
    # "Kyiv" alone ranks Kyiv City first; the town lies in Kyiv Oblast, which the chain names bare.
    events = extract(
        "On Sunday, shopkeepers protested outside the district office in Ivankiv, Kyiv, demanding to reopen.",
        published=date(2020, 5, 5),
    )
    assert [(e.location, e.admin1) for e in events] == [("Ivankiv", "Kyiv Oblast")]
    city = extract(
        "On Sunday, about 200 people protested in Kyiv against the lockdown.", published=date(2020, 5, 5)
    )
    assert [(e.location, e.admin1) for e in city] == [("Kyiv", "Kyiv City")]
