"""Aggregate claims (frontlines.extract.claims) on sentences written for these tests."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontlines.extract.claims import PUBLICATION, find_claims
from frontlines.records import Claim, Document

PUB = date(2021, 7, 10)


@pytest.fixture
def claims_of(nlp):
    def run(
        text: str,
        *,
        published: date | None = PUB,
        source: str | None = "test desk",
        main: str | None = "Taliban",
        country: str | None = "Afghanistan",
    ) -> list[Claim]:
        doc = Document(id="doc-1", text=text, published=published, source=source)
        out: list[Claim] = []
        for sent in nlp(text).sents:
            out += find_claims(sent, doc=doc, published=published, main_actor_name=main, country=country)
        for c in out:
            assert c.kind == "claim" and c.doc_id == "doc-1" and c.claim_id
            for ev in c.evidence:
                assert ev.text == text[ev.start : ev.end], ev
                assert ev.fields, ev
        return out

    return run


def span_of(claim: Claim, field: str) -> str:
    hits = [ev.text for ev in claim.evidence if field in ev.fields]
    assert hits, (field, claim.evidence)
    return hits[0]


def one(claims: list[Claim], metric: str) -> Claim:
    hits = [c for c in claims if c.metric == metric]
    assert len(hits) == 1, claims
    return hits[0]


# ----------------------------------------------------------------------------------- control shares
def test_territory_share_claimed_by_taliban(claims_of):
    text = "The Taliban claim to control 85 percent of Afghanistan's territory."
    c = one(claims_of(text), "territory_share")
    assert (c.value, c.unit, c.qualifier) == (85, "percent", None)
    assert (c.claimant, c.subject, c.certainty) == ("Taliban", "Taliban", "claimed")
    assert c.as_of == "2021-07-10"
    fig = next(ev for ev in c.evidence if "value" in ev.fields)
    assert (fig.start, fig.end, fig.text) == (text.index("85"), text.index(" of Afg"), "85 percent")
    claimant = next(ev for ev in c.evidence if "claimant" in ev.fields)
    assert (claimant.start, claimant.end) == (0, len("The Taliban"))
    sentence = next(ev for ev in c.evidence if "metric" in ev.fields)
    assert (sentence.start, sentence.end) == (0, len(text))


def test_fraction_range_and_dispute_across_sentences(claims_of):
    text = (
        "The Taliban claim to control 85 percent of the country. "
        "Other assessments put the figure at one-third to one-half of the country."
    )
    shares = [c for c in claims_of(text) if c.metric == "territory_share"]
    assert len(shares) == 2
    high, rng = shares
    assert rng.low == pytest.approx(33.3) and rng.high == 50 and rng.value == pytest.approx(33.3)
    assert rng.unit == "percent" and rng.claimant == "Other assessments"
    assert span_of(rng, "low") == "one-third to one-half"
    assert span_of(rng, "claimant") == "Other assessments"
    assert high.certainty == rng.certainty == "disputed"


def test_two_figures_in_one_sentence_dispute_each_other(claims_of):
    text = (
        "The Taliban claim to hold 85 percent of the territory, but other assessments put it at "
        "one-third to one-half."
    )
    a, b = claims_of(text)
    assert a.metric == b.metric == "territory_share"
    assert (a.claimant, b.claimant) == ("Taliban", "other assessments")
    assert a.value == 85 and (b.low, b.high) == (pytest.approx(33.3), 50)
    assert a.certainty == b.certainty == "disputed"


def test_unrelated_percentage_does_not_inherit_a_share(claims_of):
    text = "The Taliban control 85 percent of the country. Food prices rose 30 percent in June."
    assert [(c.metric, c.value) for c in claims_of(text)] == [("territory_share", 85)]


def test_overlapping_figures_are_not_disputed(claims_of):
    text = (
        "The Afghan government says it controls 80 to 85 percent of the territory. "
        "Its generals say the army holds 85 percent of the land."
    )
    claims = claims_of(text)
    assert [c.metric for c in claims] == ["territory_share", "territory_share"]
    assert claims[0].subject == "Afghan government"
    assert (claims[0].low, claims[0].high) == (80, 85)
    assert all(c.certainty == "claimed" for c in claims)


@pytest.mark.parametrize(
    ("phrase", "value", "qualifier"),
    [
        ("a quarter", 25, None),
        ("two-thirds", pytest.approx(66.7), None),
        ("half", 50, None),
        ("nearly half", 50, "nearly"),
        ("a third", pytest.approx(33.3), None),
        ("almost 70 percent", 70, "nearly"),
        ("over 60 per cent", 60, "more than"),
    ],
)
def test_word_fractions_and_hedges(claims_of, phrase, value, qualifier):
    text = f"The insurgents now control {phrase} of the country, a local analyst said."
    c = one(claims_of(text), "territory_share")
    assert c.value == value and c.qualifier == qualifier and c.unit == "percent"
    assert span_of(c, "value").lower().endswith(phrase.split()[-1])
    assert c.subject == "Taliban"  # "the insurgents" is the article's main actor


def test_share_of_a_province(claims_of):
    text = "Insurgents control three-quarters of Helmand province, residents say."
    c = one(claims_of(text), "territory_share")
    assert (c.value, c.claimant, c.subject) == (75, "residents", "Taliban")


def test_border_share(claims_of):
    text = "The group now controls about 90 percent of the country's borders, a Taliban spokesman said."
    c = one(claims_of(text), "border_share")
    assert (c.value, c.qualifier, c.claimant, c.certainty) == (90, "about", "Taliban", "claimed")
    assert span_of(c, "value") == "about 90 percent"
    assert span_of(c, "claimant") == "a Taliban spokesman"


def test_half_of_provincial_capitals(claims_of):
    text = "The Taliban now hold more than half of the country's 34 provincial capitals."
    c = one(claims_of(text), "provincial_capitals_controlled")
    assert (c.value, c.unit, c.of, c.qualifier) == (50, "percent", 34, "more than")
    assert span_of(c, "of") == "34"
    assert c.claimant == "test desk" and c.certainty == "reported"


def test_crossings_count(claims_of):
    text = "Militants have seized at least five border crossings since June, Afghan officials said."
    c = one(claims_of(text), "border_crossings_controlled")
    assert (c.value, c.qualifier, c.unit) == (5, "at least", "border crossings")
    assert (c.period_start, c.period_end) == ("2021-06-01", "2021-07-10")
    assert c.claimant == "Afghan officials"


# ----------------------------------------------------------------------------------- district counts
def test_districts_of_total(claims_of):
    text = "By one independent count the group holds at least 150 of roughly 400 districts."
    c = one(claims_of(text), "districts_controlled")
    assert (c.value, c.of, c.qualifier, c.unit) == (150, 400, "at least", "districts")
    assert span_of(c, "value") == "at least 150"
    assert span_of(c, "of") == "roughly 400"
    assert span_of(c, "claimant") == "one independent count"
    assert c.certainty == "reported"  # an independent count, not a party
    assert c.subject == "Taliban"


def test_districts_out_of(claims_of):
    text = "The Taliban have captured 30 out of 407 districts since May 1, according to a tally by the newspaper."
    c = one(claims_of(text), "districts_controlled")
    assert (c.value, c.of) == (30, 407)
    assert (c.period_start, c.period_end) == ("2021-05-01", "2021-07-10")
    assert span_of(c, "period_start") == "since May 1"
    assert span_of(c, "claimant") == "a tally by the newspaper"


def test_three_way_district_counts(claims_of):
    text = (
        "According to the Long War Journal, 104 districts are under Taliban control, "
        "201 are contested and 94 remain with the government."
    )
    claims = claims_of(text)
    got = {c.metric: c.value for c in claims}
    assert got == {"districts_controlled": 104, "districts_contested": 201, "districts_government": 94}
    for c in claims:
        assert c.claimant == "Long War Journal" and c.certainty == "reported" and c.unit == "districts"
        assert span_of(c, "value") == str(int(c.value))
        assert span_of(c, "claimant") == "the Long War Journal"
    assert len({c.claim_id for c in claims}) == 3


def test_contested_before_and_government_after(claims_of):
    text = "The Taliban control 120 districts while the government holds 100 districts."
    claims = claims_of(text)
    assert [(c.metric, c.value) for c in claims] == [
        ("districts_controlled", 120),
        ("districts_government", 100),
    ]


def test_share_of_districts(claims_of):
    text = "The militants have seized a third of the country's districts, analysts say."
    c = one(claims_of(text), "districts_controlled")
    assert c.value == pytest.approx(33.3) and c.unit == "percent"
    assert c.claimant == "analysts" and c.certainty == "reported"


# ----------------------------------------------------------------------------------- casualty totals
def test_casualty_total_with_categories(claims_of):
    text = "At least 703 members of the security forces and 208 civilians were killed in June."
    c = one(claims_of(text), "fatalities")
    assert c.categories == {"security forces": 703, "civilians": 208}
    assert (c.value, c.qualifier, c.unit) == (911, "at least", "people")
    assert (c.period_start, c.period_end) == ("2021-06-01", "2021-06-30")
    assert span_of(c, "period_start") == "in June"
    assert span_of(c, "qualifier") == "At least 703"
    cats = [ev.text for ev in c.evidence if "categories" in ev.fields]
    assert "members of the security forces" in cats and "civilians" in cats and "208" in cats
    assert c.claimant == "test desk" and c.certainty == "reported"
    assert c.as_of is None  # a past total carries its period, not a snapshot date


def test_unama_killed_and_wounded(claims_of):
    text = "UNAMA said 1,659 civilians were killed and 3,254 wounded in the first six months of the year."
    claims = claims_of(text)
    dead, hurt = one(claims, "fatalities"), one(claims, "injuries")
    assert dead.value == 1659 and dead.categories == {"civilians": 1659}
    assert hurt.value == 3254 and hurt.categories == {"civilians": 3254}
    for c in (dead, hurt):
        assert (c.claimant, c.certainty) == ("UNAMA", "reported")
        assert (c.period_start, c.period_end) == ("2021-01-01", "2021-06-30")
    assert span_of(hurt, "value") == "3,254"


def test_casualty_range_and_militant_category(claims_of):
    text = "Between 400 and 600 Taliban fighters were killed last month, the defence ministry claimed."
    c = one(claims_of(text), "fatalities")
    assert (c.value, c.low, c.high) == (400, 400, 600)
    assert c.categories == {"militants": 400}
    assert (c.period_start, c.period_end) == ("2021-06-01", "2021-06-30")
    assert (c.claimant, c.certainty) == ("defence ministry", "claimed")


def test_second_source_in_same_sentence_disputes(claims_of):
    text = (
        "In June, at least 1,000 security forces and 500 civilians were killed, a UN report said, "
        "while the ministry put the number of dead at 800."
    )
    claims = [c for c in claims_of(text) if c.metric == "fatalities"]
    assert [(c.value, c.claimant) for c in claims] == [(1500, "United Nations"), (800, "ministry")]
    assert all(c.certainty == "disputed" for c in claims)
    assert claims[0].categories == {"security forces": 1000, "civilians": 500}


def test_casualty_list_with_commas(claims_of):
    text = "In May, 450 soldiers, 300 civilians and 120 militants were killed across the country."
    c = one(claims_of(text), "fatalities")
    assert c.categories == {"security forces": 450, "civilians": 300, "militants": 120}
    assert c.value == 870 and (c.period_start, c.period_end) == ("2021-05-01", "2021-05-31")


def test_one_of_a_total(claims_of):
    text = (
        "The commander was one of more than 50 insurgents killed in the province since the start of the year."
    )
    c = one(claims_of(text), "fatalities")
    assert (c.value, c.qualifier, c.categories) == (50, "more than", {"militants": 50})
    assert span_of(c, "value") == "more than 50"


def test_killed_or_wounded_is_not_a_death_toll(claims_of):
    text = "Nearly 2,400 civilians were killed or wounded in May and June, the mission said."
    claims = claims_of(text)
    assert [c.metric for c in claims] == ["casualties"]
    c = claims[0]
    # Counts follow frontlines.extract.numbers: "nearly N" is coded N-1, the lowest credible figure.
    assert (c.value, c.high, c.qualifier, c.categories) == (2399, 2399, "nearly", {"civilians": 2399})
    assert (c.period_start, c.period_end) == ("2021-05-01", "2021-06-30")
    assert span_of(c, "period_start") == "in May and June"


def test_casualties_noun(claims_of):
    text = "More than 3,000 civilian casualties were recorded between January and March."
    c = one(claims_of(text), "casualties")
    assert (c.value, c.qualifier, c.categories) == (3000, "more than", {"civilians": 3000})
    assert (c.period_start, c.period_end) == ("2021-01-01", "2021-03-31")


def test_total_that_rose_to(claims_of):
    text = "Civilian deaths rose to 1,659 in the first half of 2021, according to UNAMA."
    c = one(claims_of(text), "fatalities")
    assert (c.value, c.categories, c.claimant) == (1659, {"civilians": 1659}, "UNAMA")
    assert (c.period_start, c.period_end) == ("2021-01-01", "2021-06-30")


def test_range_of_spaced_fractions(claims_of):
    text = "U.S. officials estimate the militants hold between a third and a half of the country."
    c = one(claims_of(text), "territory_share")
    assert (c.low, c.high, c.claimant) == (pytest.approx(33.3), 50, "United States officials")
    assert span_of(c, "low") == "between a third and a half"


def test_possessive_is_not_the_counted_noun(claims_of):
    text = "Fighters seized control of more than 200 districts, nearly half of the country's total."
    assert [(c.metric, c.value) for c in claims_of(text)] == [("districts_controlled", 200)]


def test_year_to_date_total(claims_of):
    text = "Nearly 5,000 people have been killed in fighting so far this year, the ministry said."
    c = one(claims_of(text), "fatalities")
    assert (c.value, c.qualifier, c.categories) == (4999, "nearly", None)
    assert (c.period_start, c.period_end) == ("2021-01-01", "2021-07-10")


# ----------------------------------------------------------------------------------- revenue, people
@pytest.mark.parametrize(
    ("text", "value", "unit", "rate"),
    [
        (
            "The Spin Boldak crossing collects about $20 million a month in customs revenue, officials said.",
            20_000_000,
            "USD/month",
            "a month",
        ),
        (
            "Insurgents earn nearly $1.5 billion a year from taxes on trade.",
            1_500_000_000,
            "USD/year",
            "a year",
        ),
        ("The post brings in $300,000 per week in customs duties.", 300_000, "USD/week", "per week"),
        (
            "The group rakes in some $2 million each month from the mines.",
            2_000_000,
            "USD/month",
            "each month",
        ),
        ("Its annual customs revenue is put at $60 million.", 60_000_000, "USD/year", "annual"),
    ],
)
def test_revenue(claims_of, text, value, unit, rate):
    c = one(claims_of(text), "revenue")
    assert (c.value, c.unit) == (value, unit)
    assert span_of(c, "unit") in (rate, span_of(c, "value"))
    assert rate in [ev.text for ev in c.evidence if "unit" in ev.fields]
    assert c.as_of == "2021-07-10"  # present tense


def test_personnel_fled(claims_of):
    text = "More than 1,000 Afghan soldiers fled across the border into Tajikistan this week, Tajik officials said."
    c = one(claims_of(text), "personnel_fled")
    assert (c.value, c.qualifier, c.unit) == (1000, "more than", "people")
    assert (c.claimant, c.certainty) == ("Tajik officials", "claimed")
    assert (c.period_start, c.period_end) == ("2021-07-05", "2021-07-10")
    assert span_of(c, "value") == "More than 1,000"


def test_prisoners_freed_aggregate(claims_of):
    text = "The group has freed more than 2,000 prisoners from jails in several provinces since May, officials said."
    c = one(claims_of(text), "prisoners_freed")
    assert (c.value, c.qualifier) == (2000, "more than")
    assert (c.period_start, c.period_end) == ("2021-05-01", "2021-07-10")


# ----------------------------------------------------------------------------------- attribution, time
def test_unattributed_claims_belong_to_the_publication(claims_of):
    text = "The Taliban now control 85 percent of the country."
    assert one(claims_of(text), "territory_share").claimant == "test desk"
    c = one(claims_of(text, source=None), "territory_share")
    assert c.claimant == PUBLICATION and c.certainty == "reported"
    assert not [ev for ev in c.evidence if "claimant" in ev.fields]


def test_generic_speaker_is_the_main_actor(claims_of):
    text = "The insurgents claim to have taken 250 districts."
    c = one(claims_of(text), "districts_controlled")
    assert (c.claimant, c.certainty, c.subject) == ("Taliban", "claimed", "Taliban")
    assert span_of(c, "claimant") == "The insurgents"
    c = one(claims_of(text, main=None), "districts_controlled")
    assert c.claimant == "insurgents" and c.subject is None


def test_parsed_subject_of_speech_verb(claims_of):
    text = "A UN report released on Monday said that 1,659 civilians were killed in the first six months of the year."
    c = one(claims_of(text), "fatalities")
    assert (c.claimant, c.certainty) == ("United Nations", "reported")
    assert span_of(c, "claimant") == "A UN report"
    text = "Their spokesman, Zabihullah Mujahid, told AFP the group held 90 percent of the borders."
    c = one(claims_of(text), "border_share")
    assert span_of(c, "claimant") == "Their spokesman" and c.certainty == "claimed"


def test_period_in_a_side_clause_does_not_date_the_figure(claims_of):
    text = "The Taliban, who launched their offensive in May, now claim to control 85 percent of the country."
    c = one(claims_of(text), "territory_share")
    assert (c.period_start, c.as_of) == (None, "2021-07-10")
    text = "Officials put the toll at 300 civilians killed since the start of the year."
    c = one(claims_of(text), "fatalities")
    assert (c.period_start, c.period_end) == ("2021-01-01", "2021-07-10")


def test_inverted_speech_attribution(claims_of):
    text = "The fighters hold 200 districts, said Zabihullah Mujahid, a Taliban spokesman."
    c = one(claims_of(text), "districts_controlled")
    assert (c.claimant, c.certainty) == ("Taliban", "claimed")
    assert span_of(c, "claimant") == "Zabihullah Mujahid"


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("in September", "2020-09-01", "2020-09-30"),  # a later month than publication: last year
        ("since the start of the year", "2021-01-01", "2021-07-10"),
        ("in the past two weeks", "2021-06-26", "2021-07-10"),
        ("between April and June", "2021-04-01", "2021-06-30"),
        ("in the first half of the year", "2021-01-01", "2021-06-30"),
        ("in 2020", "2020-01-01", "2020-12-31"),
    ],
)
def test_periods_resolve_against_publication(claims_of, phrase, start, end):
    text = f"At least 900 civilians were killed {phrase}, the mission said."
    c = one(claims_of(text), "fatalities")
    assert (c.period_start, c.period_end) == (start, end)
    assert span_of(c, "period_start") == phrase


def test_stock_figure_for_a_past_month_is_as_of_then(claims_of):
    text = "In April the Taliban held 77 districts, the newspaper's tracker showed."
    c = one(claims_of(text), "districts_controlled")
    assert (c.value, c.period_start, c.period_end, c.as_of) == (77, "2021-04-01", "2021-04-30", "2021-04-30")


def test_figures_for_different_times_are_not_disputed(claims_of):
    text = "The Taliban now hold 150 districts. In April the group held 77 districts."
    now, then = claims_of(text)
    assert (now.value, now.as_of, then.value, then.as_of) == (150, "2021-07-10", 77, "2021-04-30")
    assert now.certainty == then.certainty == "reported"


def test_period_from_the_date_resolver(claims_of):
    text = "More than 300 civilians have been killed since mid-May, the mission said."
    c = one(claims_of(text), "fatalities")
    assert (c.period_start, c.period_end) == ("2021-05-11", "2021-07-10")


def test_short_period_is_an_event_even_without_publication_date(claims_of):
    text = "Troops killed more than 30 insurgents in one district during the past two days."
    assert claims_of(text, published=None) == []
    longer = "Troops killed more than 300 insurgents across the province during the past two months."
    assert one(claims_of(longer, published=None), "fatalities").period_start is None


def test_period_without_publication_date(claims_of):
    text = "At least 900 civilians were killed in June, the mission said."
    c = one(claims_of(text, published=None), "fatalities")
    assert c.value == 900 and c.period_start is None and c.as_of is None
    assert span_of(c, "period_start") == "in June"


def test_works_on_a_doc_without_sentences_or_tags(nlp):
    text = "The Taliban now hold at least 150 of roughly 400 districts."
    parsed = nlp.make_doc(text)  # tokenizer only: no parse, no sentence boundaries
    doc = Document(id="d", text=text, published=PUB)
    (c,) = find_claims(parsed[:], doc=doc, published=PUB, main_actor_name="Taliban")
    assert (c.metric, c.value, c.of, c.qualifier) == ("districts_controlled", 150, 400, "at least")


def test_claim_ids_are_stable(claims_of):
    text = "By one independent count the group holds at least 150 of roughly 400 districts."
    assert [c.claim_id for c in claims_of(text)] == [c.claim_id for c in claims_of(text)]


@settings(max_examples=25, deadline=None)
@given(
    n=st.integers(min_value=1, max_value=99), hedge=st.sampled_from(["", "about ", "at least ", "nearly "])
)
def test_any_percentage(nlp, n, hedge):
    text = f"The Taliban claim to control {hedge}{n} percent of the country."
    doc = Document(id="d", text=text, published=PUB)
    (sent,) = list(nlp(text).sents)
    (c,) = find_claims(sent, doc=doc, published=PUB, main_actor_name="Taliban")
    assert c.metric == "territory_share" and c.value == n
    assert c.qualifier == (hedge.strip() or None)
    assert span_of(c, "value") == f"{hedge}{n} percent"


# ----------------------------------------------------------------------------------- not claims
@pytest.mark.parametrize(
    "text",
    [
        # one incident's toll is an event
        "A roadside bomb killed three soldiers in Helmand on Tuesday, police said.",
        "A roadside bomb killed three soldiers in Helmand in June, police said.",
        "Fighters killed at least 40 civilians in Kunduz on Monday, officials said.",
        "The Taliban freed 400 prisoners from the Kandahar jail on Friday.",
        # history
        "In 1996 the Taliban controlled 90 percent of the country.",
        "During their rule the Taliban held nearly all of the country's 34 provinces.",
        # rhetoric without figures
        "In a speech on Thursday, the president said a Taliban takeover was not inevitable.",
        "President Ghani vowed that the army would retake every district.",
        # an event-sized capture, and a date that only looks like a fraction
        "The Taliban captured two districts on Monday.",
        "In the first half of the year the Taliban captured Panjwai district.",
        # day-bound totals, an incident's hurt, soldiers leaving a post
        "A total of five police officers were killed and six others wounded on Sunday in two attacks.",
        "A joint Afghan and coalition force killed seven insurgents in total during the raid overnight.",
        "Two other soldiers fled the checkpoint when the shooting began.",
        "Hundreds of people rallied in the city, demanding justice for a student killed by police in May.",
        "Troops killed more than 30 insurgents in an operation in one district during the past two days.",
        # projections and aims
        "Analysts warned that the Taliban could control half of the country by September.",
        "The group aims to capture 100 more districts before winter.",
        "Officials fear up to 500 civilians may be killed in the coming month.",
        # shares that are not about control
        "About 40 percent of the country's population lives in poverty.",
    ],
)
def test_not_claims(claims_of, text):
    assert claims_of(text) == []


def test_history_beside_present_figure(claims_of):
    text = "The Taliban now control 85 percent of the country, compared with 90 percent in 1996."
    claims = claims_of(text)
    assert [c.value for c in claims] == [85]
