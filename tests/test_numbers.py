"""Numbers: hedged and vague figures, casualty mentions read off the parse, ACLED fatality totals."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontlines.extract.mentions import CasualtyMention, Quantity
from frontlines.extract.numbers import find_casualties, parse_quantity, total_fatalities

ISAF = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "isaf-press-releases" / "dev.jsonl"


Q = Quantity


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1,659", Q(1659)),
        ("12", Q(12)),
        ("twenty-three", Q(23)),
        ("one hundred and five", Q(105)),
        ("two dozen", Q(24)),
        ("half a dozen", Q(6)),
        ("a", Q(1)),
        ("an", Q(1)),
        ("one", Q(1)),
        ("1.5 million", Q(1_500_000)),
        ("at least 703", Q(703, low=703, qualifier="at least")),
        ("more than 100", Q(100, low=100, qualifier="more than")),
        ("over 40", Q(40, low=40, qualifier="more than")),
        ("up to 20", Q(20, high=20, qualifier="up to")),
        ("as many as 60", Q(60, high=60, qualifier="up to")),
        ("nearly 400", Q(399, high=399, qualifier="nearly")),
        ("almost 30", Q(29, high=29, qualifier="nearly")),
        ("fewer than 10", Q(9, high=9, qualifier="fewer than")),
        ("about 50", Q(50, qualifier="about")),
        ("around 1,000", Q(1000, qualifier="about")),
        ("some 200", Q(200, qualifier="about")),
        ("roughly 400", Q(400, qualifier="about")),
        ("between 10 and 15", Q(10, low=10, high=15)),
        ("10 to 15", Q(10, low=10, high=15)),
        ("10-15", Q(10, low=10, high=15)),
        ("10\u201315", Q(10, low=10, high=15)),
        ("two or three", Q(2, low=2, high=3)),
        ("several", Q(3, vague=True)),
        ("a few", Q(3, vague=True)),
        ("many", Q(10, vague=True)),
        ("dozens", Q(12, vague=True)),
        ("tens", Q(10, vague=True)),
        ("hundreds", Q(100, vague=True)),
        ("scores", Q(20, vague=True)),
        ("a number of", Q(3, vague=True)),
        ("several hundred", Q(300, vague=True)),
        ("tens of thousands", Q(10_000, vague=True)),
        ("nearly a dozen", Q(11, high=11, qualifier="nearly", vague=True)),
        ("at least 33 security forces", Q(33, low=33, qualifier="at least")),
        ("dozens of people", Q(12, vague=True)),
    ],
)
def test_parse_quantity(text: str, expected: Quantity) -> None:
    assert parse_quantity(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "85 percent",
        "40%",
        "one-third",
        "half",
        "2/3",
        "1e308",
        "99999999999",
        "hello",
        "",
        "3rd",
        "1.5",
        "the",
    ],
)
def test_parse_quantity_rejects_non_counts(text: str) -> None:
    assert parse_quantity(text) is None


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80))
def test_parse_quantity_never_raises(text: str) -> None:
    q = parse_quantity(text)
    assert q is None or (q.value is not None and 0 <= q.value <= 10_000_000)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "at",
                "least",
                "more",
                "than",
                "nearly",
                "a",
                "dozen",
                "between",
                "and",
                "-",
                "to",
                "10",
                "1,000",
                "twenty",
                "three",
                "hundred",
                "of",
                "dozens",
                "several",
                "million",
                "or",
                "up",
                "some",
                "%",
            ]
        ),  # fmt: skip
        max_size=8,
    )
)
def test_parse_quantity_never_raises_on_number_words(words: list[str]) -> None:
    q = parse_quantity(" ".join(words))
    assert q is None or q.value is None or q.value >= 0


def _cas(nlp, text: str) -> list[tuple[int | None, str, str | None]]:
    return [(m.quantity.value, m.outcome, m.category) for m in find_casualties(nlp(text))]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "At least 33 security forces and 12 civilians were killed in June, the ministry said.",
            [(33, "killed", "security forces"), (12, "killed", "civilians")],
        ),
        (
            "The explosion killed 11 people and wounded 20 on Tuesday.",
            [(11, "killed", None), (20, "wounded", None)],
        ),
        ("Villagers found the bodies of 22 commandos near the base.", [(22, "killed", "security forces")]),
        (
            "A suicide bomber killed himself and three guards at the gate.",
            [(1, "killed", "militants"), (3, "killed", "security forces")],
        ),
        ("No casualties were reported in the raid.", [(0, "killed", None)]),
        ("There were no casualties.", [(0, "killed", None)]),
        ("No one was hurt in the blast.", [(0, "wounded", None)]),
        ("Nearly a dozen fighters died in the clashes.", [(11, "killed", "militants")]),
        ("Dozens of villagers fled across the river.", [(12, "fled", "civilians")]),
        (
            "The insurgents captured 10-15 soldiers and freed more than 100 prisoners.",
            [(10, "captured", "security forces"), (100, "freed", None)],
        ),
        ("Between 10 and 15 policemen were wounded.", [(10, "wounded", "security forces")]),
        (
            "The patrol killed one insurgent and detained two suspected insurgents in the village.",
            [(1, "killed", "militants"), (2, "captured", "militants")],
        ),
        (
            "Five Afghan soldiers were killed and seven were injured in the ambush.",
            [(5, "killed", "security forces"), (7, "wounded", None)],
        ),
        ("The death toll rose to 45 on Friday.", [(45, "killed", None)]),
        ("Three gunmen killed a policeman and captured two districts.", [(1, "killed", "security forces")]),
        ("The attack killed 12 people, including three children.", [(12, "killed", None)]),
        (
            "More than 1,000 Afghan soldiers fled into the neighbouring country.",
            [(1000, "fled", "security forces")],
        ),
        ("Two hundred fighters surrendered to the army.", [(200, "surrendered", "militants")]),
        ("The air strike killed a Taliban commander.", [(1, "killed", "militants")]),
        ("Guards returned fire, killing him.", [(1, "killed", None)]),
        ("The raid killed a number of Taliban fighters.", [(3, "killed", "militants")]),
        (
            "Several insurgents were killed and one was wounded.",
            [(3, "killed", "militants"), (1, "wounded", None)],
        ),
        ("The mine caused 14 casualties among the passengers.", [(14, "casualties", None)]),
        (
            "KUNDUZ, Afghanistan \u2014 At least 9 members of a police unit were killed on Monday.",
            [(9, "killed", "security forces")],
        ),
        ("Abdul Karim, a Taliban commander, was killed in the raid.", [(1, "killed", "militants")]),
        ("An official put the toll at 23 commandos dead.", [(23, "killed", "security forces")]),
        ("A fighter said the group had lost one man.", [(1, "killed", None)]),
        ("Their dead included 4 women.", []),
        (
            "Early reports put the toll at three people dead and about 15 wounded.",
            [(3, "killed", None), (15, "wounded", None)],
        ),
        ("The number of people killed in the market bombing rose to at least 31.", [(31, "killed", None)]),
        ("Gunmen shot and killed a school principal in the city.", [(1, "killed", None)]),
        ("Gunmen shot dead two shopkeepers near the bazaar.", [(2, "killed", "civilians")]),
        ("A driver was beaten to death at the checkpoint.", [(1, "killed", "civilians")]),
        ("Three policemen were fatally wounded in the ambush.", [(3, "killed", "security forces")]),
        (
            "The raid left 3 fighters dead and 6 others injured.",
            [(3, "killed", "militants"), (6, "wounded", None)],
        ),
        ("A farmer was found dead near the canal.", [(1, "killed", "civilians")]),
        ("Seven villagers killed and nine wounded.", [(7, "killed", "civilians"), (9, "wounded", None)]),
        ("Shelling hit the camp, killing and injuring dozens of residents.", [(12, "killed", "civilians")]),
        ("A teacher was abducted and stabbed to death.", [(1, "killed", "civilians")]),
        ("The corpses of around thirty fighters were found.", [(30, "killed", "militants")]),
        (
            "One person was killed and 11 injured in the explosion.",
            [(1, "killed", None), (11, "wounded", None)],
        ),
        (  # the ambush is the agent, not a victim
            "The ambush that killed two guards was planned by the commander.",
            [(2, "killed", "security forces")],
        ),
        ("The two judges, including their clerk, were killed.", [(2, "killed", None)]),
        ("The blast killed a Taliban sub-commander.", [(1, "killed", "militants")]),
        ("Officials raised the death toll from the bombing to 64 on Monday.", [(64, "killed", None)]),
    ],
)
def test_find_casualties(nlp, text: str, expected: list) -> None:
    assert _cas(nlp, text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Three gunmen killed the guard's dog.",  # a non-person noun
        "The Taliban captured two districts and 12 checkpoints.",
        "Officials said 40 percent of the district was contested.",
        "The convoy of 30 trucks crossed the border on July 9, 2021.",
        "The soldiers were not killed.",
        "The insurgents captured Spin Boldak on Wednesday.",  # a place, not a person
        "The force called in an air strike to eliminate the threat.",
        "On 8 May 2021 the council met in the town hall.",
        "The statement, reference 2010-08-CA-266, said insurgents were killed.",
    ],
)
def test_find_casualties_ignores_non_casualty_figures(nlp, text: str) -> None:
    assert _cas(nlp, text) == []


def test_either_or_outcomes_are_not_counted_as_deaths(nlp) -> None:
    ms = find_casualties(nlp("The raid killed or injured 4 militants in the valley."))
    assert [m.outcome for m in ms] == ["casualties"]
    assert total_fatalities(ms) == (0, None, None)


def test_casualty_offsets_point_at_the_text(nlp) -> None:
    text = "Officials said at least 33 security forces were killed."
    ms = find_casualties(nlp(text))
    assert len(ms) == 1
    assert text[ms[0].start : ms[0].end] == ms[0].text == "at least 33 security forces"
    assert ms[0].quantity == Q(33, low=33, qualifier="at least")


def test_find_casualties_on_a_sentence_span(nlp) -> None:
    doc = nlp("Two soldiers died on Monday. Four civilians were wounded later.")
    second = list(doc.sents)[1]
    ms = find_casualties(second)
    assert [(m.quantity.value, m.outcome, m.category) for m in ms] == [(4, "wounded", "civilians")]
    assert doc.text[ms[0].start : ms[0].end] == "Four civilians"


def _m(value: int, outcome: str = "killed", **kw) -> CasualtyMention:
    return CasualtyMention(0, 1, "x", Quantity(value=value, **kw), outcome)


def test_total_fatalities() -> None:
    assert total_fatalities([]) == (0, None, None)
    assert total_fatalities([_m(33, low=33, qualifier="at least"), _m(12)]) == (45, 45, None)
    assert total_fatalities([_m(5), _m(7, "wounded"), _m(9, "casualties"), _m(3, "captured")]) == (
        5,
        None,
        None,
    )
    assert total_fatalities([_m(10, low=10, high=15), _m(2)]) == (12, 12, 17)
    assert total_fatalities([_m(0)]) == (0, None, None)
    assert total_fatalities([_m(11, high=11, qualifier="nearly"), _m(4)]) == (15, 15, 15)


def test_total_fatalities_from_text(nlp) -> None:
    ms = find_casualties(
        nlp("At least 33 security forces and 12 civilians were killed, and 40 were wounded.")
    )
    assert total_fatalities(ms) == (45, 45, None)


# ---------------------------------------------------------------- measurement on real releases (skips when absent)


def test_isaf_killed_count_accuracy(nlp) -> None:
    """Killed count per release (the largest sentence total, so a re-mention is not added twice) vs min_killed."""
    if not ISAF.exists():
        pytest.skip("eval data absent")
    rows = [json.loads(line) for line in ISAF.read_text(encoding="utf-8").split("\n") if line.strip()]
    n = exact = pos = pos_exact = zero = zero_exact = 0
    for row, doc in zip(rows, nlp.pipe(r["text"] for r in rows), strict=True):
        gold = row["gold"]["min_killed"]
        per_sentence = [total_fatalities(find_casualties(s))[0] for s in doc.sents]
        got = max(per_sentence, default=0)
        n += 1
        exact += got == gold
        if gold > 0:
            pos += 1
            pos_exact += got == gold
        else:
            zero += 1
            zero_exact += got == 0
    print(
        f"\nISAF killed counts: exact {exact}/{n} = {exact / n:.3f}; gold>0 exact {pos_exact}/{pos} = "
        f"{pos_exact / pos:.3f}; gold 0 kept at 0 {zero_exact}/{zero} = {zero_exact / zero:.3f}"
    )
    assert exact / n > 0.87
    assert pos_exact / pos > 0.75
    assert zero_exact / zero > 0.92


GTD = (
    Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "gtd-2021" / "afghanistan_2021_jan_mar.csv"
)


def test_gtd_killed_and_wounded_accuracy(nlp) -> None:
    """Killed (sum of the summary's killed mentions) vs nkill, and wounded vs nwound, on GTD coder summaries."""
    if not GTD.exists():
        pytest.skip("eval data absent")
    import csv

    with GTD.open(encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["nkill"].strip() and r["nwound"].strip()]
    n = killed_ok = wounded_ok = 0
    for row, doc in zip(rows, nlp.pipe(r["summary"] for r in rows), strict=True):
        ms = [m for s in doc.sents for m in find_casualties(s)]
        n += 1
        killed_ok += total_fatalities(ms)[0] == int(float(row["nkill"]))
        wounded_ok += sum(m.quantity.value or 0 for m in ms if m.outcome == "wounded") == int(
            float(row["nwound"])
        )
    print(f"\nGTD: {n} summaries; killed exact {killed_ok / n:.3f}; wounded exact {wounded_ok / n:.3f}")
    assert killed_ok / n > 0.87
    assert wounded_ok / n > 0.88


ACLED = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "eval-data"
    / "acled-2020"
    / "acled_2020_not_afghanistan.csv"
)


def test_acled_notes_fatalities_accuracy(nlp) -> None:
    """ACLED coder notes (every 4th row; notes that split a total across events left out): the largest sentence
    total of killed mentions vs the coded fatalities (the notes often restate the total as "N fatalities")."""
    if not ACLED.exists():
        pytest.skip("eval data absent")
    import csv

    with ACLED.open(encoding="utf-8", newline="") as fh:
        rows = [
            r for i, r in enumerate(csv.DictReader(fh)) if i % 4 == 0 and "split" not in r["notes"].lower()
        ]
    n = ok = pos = pos_ok = 0
    for row, doc in zip(rows, nlp.pipe(r["notes"] for r in rows), strict=True):
        got = max((total_fatalities(find_casualties(s))[0] for s in doc.sents), default=0)
        gold = int(row["fatalities"])
        n += 1
        ok += got == gold
        if gold > 0:
            pos += 1
            pos_ok += got == gold
    print(
        f"\nACLED notes: {n}; fatalities exact {ok / n:.3f}; where gold > 0: {pos_ok}/{pos} = {pos_ok / pos:.3f}"
    )
    assert ok / n > 0.92
    assert pos_ok / pos > 0.74


_WORDS = (
    "at least more than nearly a dozen dozens of 12 1,000 two-thirds killed wounded died were was and or "
    "soldiers civilians Taliban him himself no casualties the toll rose to of bodies left dead including "
    "on May 9 2021 - , . shot between some several hundred percent % who that captured freed fled surrendered"
).split()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), min_size=1, max_size=25))
def test_find_casualties_never_raises(nlp, words: list[str]) -> None:
    text = " ".join(words)
    ms = find_casualties(nlp(text))
    for m in ms:
        assert text[m.start : m.end] == m.text
        assert m.quantity.value is not None and m.quantity.value >= 0
    total_fatalities(ms)


# ---------------------------------------------------------------- tallies told in a later sentence


@pytest.fixture(scope="module")
def extract_events():
    from datetime import date

    from frontlines.extract.pipeline import get_extractor
    from frontlines.records import Document, Event

    ex = get_extractor()

    def run(text: str, published: date = date(2021, 3, 6)) -> list[Event]:
        return [r for r in ex.extract(Document("t", text, published=published)) if isinstance(r, Event)]

    return run


def _top(events):
    return max(events, key=lambda e: e.confidence)


def test_deaths_in_the_next_sentence_belong_to_the_event_described(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, gunmen stormed a police checkpoint in Kunduz City, Kunduz. "
        "Two officers were killed and four other officers were wounded in the attack."
    )
    assert _top(events).fatalities == 2
    assert sum(e.fatalities for e in events) == 2  # told once, counted once


def test_a_sentence_without_an_event_of_its_own_gives_its_deaths_to_the_last_event(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, in Leon, Guanajuato, armed men on a motorbike shot at a shopkeeper and his son. "
        "Three people died."
    )
    assert _top(events).fatalities == 3


def test_a_later_tally_adds_when_it_says_also(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, insurgents attacked an army outpost in Kunduz City, killing two soldiers. "
        "Four insurgents were also killed in the ensuing clash."
    )
    assert _top(events).fatalities == 6


def test_a_tally_of_another_event_stays_there(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, gunmen attacked a checkpoint in Kunduz City, Kunduz. Nobody was hurt. "
        "Three civilians were killed in a separate attack on 20 February."
    )
    by_date = {e.event_date: e.fatalities for e in events}
    assert by_date.get("2021-03-05") == 0
    assert by_date.get("2021-02-20") == 3


def test_tally_helpers_read_the_parse(nlp) -> None:
    from frontlines.extract.numbers import adds_to_earlier, may_state_death, names_other_event, refers_back

    back = next(nlp("Five guards were killed in the ensuing clash.").sents)
    fresh = next(nlp("Five guards were killed in an attack on a bank.").sents)
    assert refers_back(back) and not refers_back(fresh)
    assert may_state_death(next(nlp("Both brothers died.").sents))
    assert not may_state_death(next(nlp("The force seized two rifles.").sents))
    assert names_other_event(next(nlp("Two died in a similar blast.").sents))
    assert adds_to_earlier(next(nlp("Two other soldiers were also killed.").sents))


def test_both_counts_two_people_only(nlp) -> None:
    got = find_casualties(next(nlp("Both shopkeepers were shot dead outside the market.").sents))
    assert [(m.outcome, m.quantity.value) for m in got] == [("killed", 2)]
    assert find_casualties(next(nlp("Fighters on both sides were killed.").sents)) == []


def test_in_addition_to_the_attacker_counts_the_attacker(nlp) -> None:
    got = find_casualties(
        next(nlp("In addition to the bomber, two guards were killed and five people were hurt.").sents)
    )
    killed = sorted(m.quantity.value for m in got if m.outcome == "killed")
    assert killed == [1, 2]
    assert total_fatalities(got)[0] == 3
    many = find_casualties(
        next(nlp("In addition to the four gunmen, a guard was killed in the clash.").sents)
    )
    assert total_fatalities(many)[0] == 5


def test_a_total_across_several_events_is_shared(nlp) -> None:
    from frontlines.extract.numbers import events_sharing

    text = (
        "Gunmen raided a police post in Kunduz City. It was one of three related attacks that night. "
        "Nine gunmen were killed across the attacks."
    )
    sents = list(nlp(text).sents)
    assert events_sharing(sents[-1], text) == 3
    assert events_sharing(sents[0], text) == 1
    both = "Four people were killed across both blasts."
    assert events_sharing(next(nlp(both).sents), both) == 2


def test_a_shared_total_gives_the_described_event_its_share(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, gunmen raided a police post in Kunduz City. It was one of two related attacks "
        "in the city that night. Five policemen were killed across the attacks."
    )
    assert _top(events).fatalities == 3  # ACLED: split evenly, the remainder to the first


def test_an_elided_second_verb_keeps_its_own_outcome(nlp) -> None:
    got = find_casualties(next(nlp("At least nine gunmen were killed and four others wounded.").sents))
    assert sorted((m.outcome, m.quantity.value) for m in got) == [("killed", 9), ("wounded", 4)]
    active = find_casualties(next(nlp("Four soldiers killed three insurgents.").sents))
    assert [(m.outcome, m.quantity.value) for m in active] == [("killed", 3)]


def test_one_person_under_two_descriptions_is_one_victim(nlp) -> None:
    got = find_casualties(
        next(
            nlp(
                "Gunmen shot and killed Ahmad Karimi, a teacher and former mayor of the town, in Kabul."
            ).sents
        )
    )
    assert total_fatalities(got)[0] == 1


def test_a_later_tally_of_other_people_adds(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, gunmen shot and killed four police officers in Kunduz City. "
        "The gunman was killed by police."
    )
    assert _top(events).fatalities == 5


def test_a_possessive_death_is_one_killed(nlp) -> None:
    got = find_casualties(next(nlp("The commander's death was confirmed by police.").sents))
    assert [(m.outcome, m.quantity.value) for m in got] == [("killed", 1)]
    agent = find_casualties(next(nlp("The group's killing of two guards shocked residents.").sents))
    assert total_fatalities(agent)[0] == 2  # the group did the killing


def test_a_death_told_in_the_next_paragraph_still_counts(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, gunmen attacked a checkpoint in Kunduz City.\n\nTwo policemen died."
    )
    assert _top(events).fatalities == 2


def test_a_tally_over_a_vague_period_is_not_the_events(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, gunmen attacked a checkpoint in Kunduz City. Nobody was hurt.\n\n"
        "The Taliban have killed hundreds of policemen this year."
    )
    assert _top(events).fatalities == 0


def test_deaths_that_caused_a_protest_are_not_its_fatalities(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, hundreds of residents protested in Herat city after a fuel tanker fire killed nine."
    )
    protests = [e for e in events if e.event_type == "Protests"]
    assert protests and protests[0].fatalities == 0


def test_deaths_in_an_exchange_of_fire_belong_to_the_exchange(extract_events) -> None:
    events = extract_events(
        "On 5 March 2021, three gunmen and a police officer were killed in an exchange of fire in Kunduz City."
    )
    assert _top(events).fatalities == 4


def test_a_total_over_several_days_is_shared_per_day(nlp) -> None:
    from frontlines.extract.numbers import events_sharing

    text = "Four villagers were killed across three days of clashes."
    assert events_sharing(next(nlp(text).sents), text) == 3


def test_outcome_cue_check_reads_whole_sentences(nlp) -> None:
    from frontlines.extract.numbers import _may_state_outcome

    doc = nlp("Five hundred people gathered in the square. The toll rose to 12. Two men lost their lives.")
    first, second, third = list(doc.sents)
    assert not _may_state_outcome(doc, first.start, first.end)
    assert _may_state_outcome(doc, second.start, second.end)
    # A sub-span without the cue word is checked against its whole sentence ("lost ... lives").
    assert _may_state_outcome(doc, third.start, third.start + 2)
    assert find_casualties(first) == []
    assert [(m.quantity.value, m.outcome) for m in find_casualties(third)] == [(2, "killed")]
