"""Dates: resolving expressions against the publication date, ACLED coded dates, mentions in parsed text."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontlines.extract.dates import coded_date, find_dates, is_future, is_historical, resolve
from frontlines.extract.mentions import DateWindow

PUB = date(2021, 7, 16)  # a Friday
ISAF = Path(__file__).resolve().parents[2] / "shared" / "eval-data" / "isaf-press-releases" / "dev.jsonl"


D = date


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision"),
    [
        ("Friday", D(2021, 7, 16), D(2021, 7, 16), 1),  # the publication weekday is that day
        ("on Wednesday", D(2021, 7, 14), D(2021, 7, 14), 1),
        ("Saturday", D(2021, 7, 10), D(2021, 7, 10), 1),  # never in the future
        ("last Friday", D(2021, 7, 9), D(2021, 7, 9), 1),
        ("yesterday", D(2021, 7, 15), D(2021, 7, 15), 1),
        ("today", D(2021, 7, 16), D(2021, 7, 16), 1),
        ("last night", D(2021, 7, 15), D(2021, 7, 15), 1),
        ("on Monday night", D(2021, 7, 12), D(2021, 7, 12), 1),
        ("early on Tuesday", D(2021, 7, 13), D(2021, 7, 13), 1),
        ("Thursday morning", D(2021, 7, 15), D(2021, 7, 15), 1),
        ("last week", D(2021, 7, 5), D(2021, 7, 11), 2),
        ("this week", D(2021, 7, 12), D(2021, 7, 16), 2),
        ("three weeks ago", D(2021, 6, 21), D(2021, 6, 27), 2),
        ("two days ago", D(2021, 7, 14), D(2021, 7, 14), 1),
        ("the last few days", D(2021, 7, 13), D(2021, 7, 16), 2),
        ("in recent days", D(2021, 7, 13), D(2021, 7, 16), 2),
        ("past few days", D(2021, 7, 13), D(2021, 7, 16), 2),
        ("in the last week alone", D(2021, 7, 9), D(2021, 7, 16), 2),
        ("over the past week", D(2021, 7, 9), D(2021, 7, 16), 2),
        ("the past three days", D(2021, 7, 13), D(2021, 7, 16), 2),
        ("in June", D(2021, 6, 1), D(2021, 6, 30), 3),
        ("last month", D(2021, 6, 1), D(2021, 6, 30), 3),
        ("early July", D(2021, 7, 1), D(2021, 7, 10), 3),
        ("late June", D(2021, 6, 21), D(2021, 6, 30), 3),
        ("mid-July", D(2021, 7, 11), D(2021, 7, 20), 3),
        ("since May", D(2021, 5, 1), D(2021, 7, 16), 3),
        ("on July 9", D(2021, 7, 9), D(2021, 7, 9), 1),
        ("9 July 2021", D(2021, 7, 9), D(2021, 7, 9), 1),
        ("July 9, 2021", D(2021, 7, 9), D(2021, 7, 9), 1),
        ("Sept. 3", D(2021, 9, 3), D(2021, 9, 3), 1),  # the nearest occurrence, ahead: an announced date
        ("the start of the week", D(2021, 7, 12), D(2021, 7, 13), 2),
        ("2021-07-09", D(2021, 7, 9), D(2021, 7, 9), 1),
        ("over the weekend", D(2021, 7, 10), D(2021, 7, 11), 2),
        ("in December", D(2020, 12, 1), D(2020, 12, 31), 3),  # a month ahead rolls back a year
        ("between July 1 and July 5", D(2021, 7, 1), D(2021, 7, 5), 2),
    ],
)
def test_resolve(text: str, earliest: date, latest: date, precision: int) -> None:
    w = resolve(text, PUB)
    assert w == DateWindow(earliest, latest, precision)


@pytest.mark.parametrize(
    "text",
    [
        "this year",
        "in recent months",
        "since 2001",
        "in 1996",
        "two decades ago",
        "Between 10 and 15",
        "three days",
    ],
)
def test_vaguer_than_a_month_has_no_window(text: str) -> None:
    assert resolve(text, PUB) is None


def test_historical_phrases() -> None:
    for text in ("in 1996", "since 2001", "two decades ago", "20 years ago", "last year", "in March"):
        assert is_historical(text, PUB), text
    for text in ("last month", "in June", "three weeks ago", "Friday", "this year"):
        assert not is_historical(text, PUB), text


def test_without_publication_date_only_absolute_dates_resolve() -> None:
    assert resolve("July 9, 2021", None) == DateWindow(D(2021, 7, 9), D(2021, 7, 9), 1)
    assert resolve("June 2021", None) == DateWindow(D(2021, 6, 1), D(2021, 6, 30), 3)
    for text in ("yesterday", "Friday", "last week", "in June", "July 9"):
        assert resolve(text, None) is None, text


def test_day_without_year_takes_the_nearest_occurrence() -> None:
    assert resolve("December 28", D(2021, 1, 5)) == DateWindow(D(2020, 12, 28), D(2020, 12, 28), 1)
    assert resolve("January 3", D(2020, 12, 30)) == DateWindow(D(2021, 1, 3), D(2021, 1, 3), 1)
    assert resolve("on March 2", D(2021, 7, 16)) == DateWindow(D(2021, 3, 2), D(2021, 3, 2), 1)


def test_dateparser_fallback_reads_other_absolute_shapes() -> None:
    assert resolve("the 9th of July, 2021", PUB) == DateWindow(D(2021, 7, 9), D(2021, 7, 9), 1)


def test_future_dates_are_returned_for_the_caller_to_compare() -> None:
    w = resolve("July 30", PUB)
    assert w == DateWindow(D(2021, 7, 30), D(2021, 7, 30), 1)
    assert is_future(w, PUB)
    assert not is_future(resolve("yesterday", PUB), PUB)


def test_coded_date_follows_acled_precision() -> None:
    assert coded_date(DateWindow(D(2021, 7, 14), D(2021, 7, 14), 1)) == D(2021, 7, 14)
    assert coded_date(DateWindow(D(2021, 7, 5), D(2021, 7, 11), 2)) == D(2021, 7, 8)  # middle of the week
    assert coded_date(DateWindow(D(2021, 6, 1), D(2021, 6, 30), 3)) == D(2021, 6, 15)  # whole month: the 15th
    assert coded_date(DateWindow(D(2021, 2, 1), D(2021, 2, 28), 3)) == D(2021, 2, 15)
    assert coded_date(DateWindow(D(2021, 5, 1), D(2021, 7, 16), 3)) == D(2021, 6, 8)  # partial: the middle
    assert resolve("last week", PUB).event_date == D(2021, 7, 8)


@settings(max_examples=300, deadline=None)
@given(
    st.text(max_size=60), st.one_of(st.none(), st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)))
)
def test_resolve_never_raises(text: str, published: date | None) -> None:
    w = resolve(text, published)
    assert w is None or w.earliest <= w.latest


@settings(max_examples=100, deadline=None)
@given(
    st.sampled_from(
        ["on Friday", "Feb. 29", "last month", "three weeks ago", "since May", "late February", "Sunday"]
    ),
    st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31)),
)
def test_resolve_relative_phrases_on_any_day(text: str, published: date) -> None:
    w = resolve(text, published)
    assert w is None or (w.earliest <= w.latest and w.precision in (1, 2, 3))


_DATE_WORDS = (
    "on Friday last week three weeks ago in June early July 9 July 2021 since May yesterday the 1990s "
    "Between 10 and 15 over the weekend will start Monday night 2021-07-09 Sept. 3 , . of past few days"
).split()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from(_DATE_WORDS), min_size=1, max_size=20))
def test_find_dates_never_raises(nlp, words: list[str]) -> None:
    text = " ".join(words)
    for m in find_dates(nlp(text), PUB):
        assert text[m.start : m.end] == m.text
        assert m.window is None or m.window.earliest <= m.window.latest


def _mentions(nlp, text: str, published: date | None = PUB):
    return find_dates(nlp(text), published)


def test_find_dates_weekday_and_offsets(nlp) -> None:
    text = "Insurgents stormed the provincial capital on Wednesday, a spokesman said."
    ms = _mentions(nlp, text)
    assert [m.text for m in ms] == ["Wednesday"]
    assert text[ms[0].start : ms[0].end] == "Wednesday"
    assert ms[0].window == DateWindow(D(2021, 7, 14), D(2021, 7, 14), 1) and not ms[0].historical


def test_find_dates_drops_a_count_the_tagger_glued_on(nlp) -> None:
    ms = _mentions(nlp, "The mortar round killed 4 people and wounded 20 early on Tuesday.")
    resolved = [m for m in ms if m.window is not None]
    assert len(resolved) == 1
    assert "20" not in resolved[0].text and resolved[0].window.earliest == D(2021, 7, 13)


def test_find_dates_historical_and_current_together(nlp) -> None:
    ms = _mentions(
        nlp, "The militia held the valley in 1996, and two decades ago it lost it; it came back this week."
    )
    hist = {m.text for m in ms if m.historical}
    assert "1996" in hist and "two decades ago" in hist
    current = [m for m in ms if not m.historical and m.window is not None]
    assert [m.window for m in current] == [DateWindow(D(2021, 7, 12), D(2021, 7, 16), 2)]


def test_find_dates_keeps_since_and_relative_spans(nlp) -> None:
    ms = _mentions(nlp, "Clashes have gone on since May, and the crossing fell three weeks ago.")
    by_text = {m.text: m.window for m in ms}
    assert by_text["since May"] == DateWindow(D(2021, 5, 1), PUB, 3)
    assert by_text["three weeks ago"] == DateWindow(D(2021, 6, 21), D(2021, 6, 27), 2)


def test_find_dates_old_absolute_date_is_historical(nlp) -> None:
    ms = _mentions(nlp, "The old bridge was destroyed on March 3, 2019, long before the latest offensive.")
    assert ms and ms[0].historical and ms[0].window == DateWindow(D(2019, 3, 3), D(2019, 3, 3), 1)


def test_find_dates_patterns_the_tagger_may_miss(nlp) -> None:
    ms = _mentions(nlp, "Police said the convoy was hit overnight and again in recent days.")
    windows = {m.text: m.window for m in ms}
    assert windows.get("overnight") == DateWindow(D(2021, 7, 15), D(2021, 7, 15), 1)
    assert any(t.endswith("recent days") for t in windows)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Officials said the ceasefire will start on Monday.", D(2021, 7, 19)),
        ("The truce, which begins on Sunday, was announced by both sides.", D(2021, 7, 18)),
        ("Talks are expected to resume on Thursday.", D(2021, 7, 22)),
        ("The convoy was attacked on Monday.", D(2021, 7, 12)),
        ("The governor said on Thursday that fighting continues.", D(2021, 7, 15)),
    ],
)
def test_find_dates_weekday_in_a_future_clause_is_the_coming_one(nlp, text: str, expected: date) -> None:
    ms = [m for m in _mentions(nlp, text) if m.window is not None]
    assert [m.window.earliest for m in ms] == [expected]
    assert is_future(ms[0].window, PUB) == (expected > PUB)


def test_find_dates_keeps_the_whole_absolute_date_the_tagger_cuts(nlp) -> None:
    for text, expected in [
        ("Around 9 July 2021 (as reported), a patrol was ambushed near the river.", D(2021, 7, 9)),
        ("On 30 Jun 2021, workers protested outside the ministry.", D(2021, 6, 30)),
    ]:
        ms = [m for m in _mentions(nlp, text) if m.window is not None]
        assert ms[0].window == DateWindow(expected, expected, 1), text
        assert text[ms[0].start : ms[0].end] == ms[0].text


def test_find_dates_without_publication_date(nlp) -> None:
    ms = _mentions(nlp, "The district fell on July 9, 2021 after fighting on Friday.", None)
    assert any(m.window == DateWindow(D(2021, 7, 9), D(2021, 7, 9), 1) for m in ms)
    assert all(m.window is None for m in ms if "Friday" in m.text)


def test_find_dates_on_a_sentence_span(nlp) -> None:
    doc = nlp("The governor spoke on Monday. Fighters withdrew yesterday.")
    second = list(doc.sents)[1]
    ms = find_dates(second, PUB)
    assert [m.text for m in ms] == ["yesterday"]
    assert doc.text[ms[0].start : ms[0].end] == "yesterday"


# ---------------------------------------------------------------- measurement on real releases (skips when absent)

_DATELINE = re.compile(r"\(([A-Z][a-z]+\.?\s*\d{1,2})(?:[,.]?\s*(\d{4}))?\)")
_RELEASE_NO = re.compile(r"\b(20\d\d)-\d\d-[A-Z]+-\d+")
_TITLE_DATE = re.compile(r"TEXT:\s*([A-Z][a-z]+\.? \d{1,2}):")


def _publication(text: str) -> tuple[date | None, int]:
    """The release's own date (dateline, else a dated title) with the year from its release number."""
    rel = _RELEASE_NO.search(text)
    year = int(rel.group(1)) if rel else None
    m = _DATELINE.search(text[:600])
    if m and (m.group(2) or year):
        w = resolve(f"{m.group(1)}, {m.group(2) or year}", None)
        if w:
            return w.earliest, m.end()
    m = _TITLE_DATE.search(text[:200])
    if m and year:
        w = resolve(f"{m.group(1)}, {year}", None)
        if w:
            return w.earliest, m.end()
    return None, 0


def test_isaf_event_date_accuracy(nlp) -> None:
    """The first current, non-future date mention in the report body, coded, against the gold start date."""
    if not ISAF.exists():
        pytest.skip("eval data absent")
    rows = [json.loads(line) for line in ISAF.read_text(encoding="utf-8").split("\n") if line.strip()]
    n = dated = found = exact = in_window = exact_or_pub = 0
    for row in rows:
        text, gold = row["text"], date.fromisoformat(row["gold"]["start_date"])
        n += 1
        pub, off = _publication(text)
        if pub is None:
            continue
        dated += 1
        header_end = text.find("For Immediate Release")
        off = max(off, header_end + len("For Immediate Release") if header_end >= 0 else 0)
        ms = [
            m
            for m in find_dates(nlp(text[off:]), pub)
            if m.window is not None and not m.historical and not is_future(m.window, pub)
        ]
        guess = pub
        if ms:
            found += 1
            guess = coded_date(ms[0].window)
            exact += guess == gold
            in_window += ms[0].window.earliest <= gold <= ms[0].window.latest
        exact_or_pub += guess == gold
    print(
        f"\nISAF dates: {n} releases, {dated} with a readable publication date; a date found in {found}; "
        f"exact {exact}/{found} = {exact / found:.3f}; gold inside window {in_window}/{found}; "
        f"exact with publication-date fallback {exact_or_pub}/{dated} = {exact_or_pub / dated:.3f}"
    )
    assert found / dated > 0.85
    assert exact / found > 0.74
    assert exact_or_pub / dated > 0.74


ACLED = (
    Path(__file__).resolve().parents[2]
    / "shared"
    / "eval-data"
    / "acled-2020"
    / "acled_2020_not_afghanistan.csv"
)


def test_acled_notes_event_date_accuracy(nlp) -> None:
    """ACLED coder notes (every 4th row): the first current date mention, coded, vs event_date. The notes carry
    no publication date; the upload date (timestamp) stands in for it."""
    if not ACLED.exists():
        pytest.skip("eval data absent")
    import csv
    from datetime import UTC, datetime

    with ACLED.open(encoding="utf-8", newline="") as fh:
        rows = [r for i, r in enumerate(csv.DictReader(fh)) if i % 4 == 0]
    n = found = exact = 0
    for row, doc in zip(rows, nlp.pipe(r["notes"] for r in rows), strict=True):
        n += 1
        gold = datetime.strptime(row["event_date"], "%d-%b-%y").date()
        uploaded = datetime.fromtimestamp(int(row["timestamp"]), tz=UTC).date()
        ms = [m for m in find_dates(doc, uploaded) if m.window is not None and not m.historical]
        if ms:
            found += 1
            exact += coded_date(ms[0].window) == gold
    print(f"\nACLED notes dates: {n}; a date found in {found}; exact {exact}/{found} = {exact / found:.3f}")
    assert found / n > 0.95
    assert exact / found > 0.97


def test_numeric_dates_read_both_ways_nearest_past_reading_wins() -> None:
    # GTD-style month/day: 3 January is on or before publication, 1 March would be in the future.
    assert resolve("01/03/2021", date(2021, 1, 7)) == DateWindow(date(2021, 1, 3), date(2021, 1, 3), 1)
    # Day/month where month/day is impossible.
    assert resolve("13/01/2021", date(2021, 1, 20)) == DateWindow(date(2021, 1, 13), date(2021, 1, 13), 1)
    # Both past: the one nearer publication.
    assert resolve("05/01/2021", date(2021, 6, 1)) == DateWindow(date(2021, 5, 1), date(2021, 5, 1), 1)
    assert resolve("05/01/2021", date(2021, 1, 7)) == DateWindow(date(2021, 1, 5), date(2021, 1, 5), 1)
    assert resolve("31/02/2021", date(2021, 3, 7)) is None


def test_numeric_date_found_at_the_start_of_a_summary(nlp) -> None:
    doc = nlp("01/03/2021: Gunmen attacked a checkpoint in Kunduz city.")
    (m,) = [d for d in find_dates(doc, date(2021, 1, 7)) if d.window is not None]
    assert m.text == "01/03/2021" and m.window.earliest == date(2021, 1, 3)


# ---------------------------------------------------------------- which date an event takes (pipeline)


@pytest.fixture(scope="module")
def extract_events():
    from frontlines.extract.pipeline import get_extractor
    from frontlines.records import Document, Event

    ex = get_extractor()

    def run(text: str, published: date) -> list[Event]:
        return [r for r in ex.extract(Document("t", text, published=published)) if isinstance(r, Event)]

    return run


def test_headline_and_dateline_dates_are_the_reports(extract_events) -> None:
    text = (
        "Evening Operations Summary, June 9, 2012\n"
        "KANDAHAR, Afghanistan (June 9, 2012) - Afghan soldiers killed two insurgents during a patrol in "
        "Panjwai district, Kandahar province, yesterday.\n"
        "The patrol also detained a suspected bomb maker in Zharay district."
    )
    events = extract_events(text, date(2012, 6, 9))
    assert events and all(e.event_date == "2012-06-08" for e in events)


def test_headline_date_without_dateline_is_the_reports(extract_events) -> None:
    text = (
        "June 9: Operations in Southern Afghanistan\n"
        "In Kandahar last night, Afghan soldiers detained three suspected insurgents in Panjwai district."
    )
    events = extract_events(text, date(2012, 6, 9))
    assert events and all(e.event_date == "2012-06-08" for e in events)


def test_a_date_on_another_noun_dates_that_noun(extract_events) -> None:
    text = "Afghan police arrested a man behind Monday's bombing of a bus station in Kandahar city today."
    events = extract_events(text, date(2012, 6, 14))
    arrests = [e for e in events if e.sub_event_type == "Arrests"]
    assert arrests and arrests[0].event_date == "2012-06-14"


def test_a_named_day_beats_overnight_as_an_adjective(extract_events) -> None:
    text = "Afghan forces captured a Taliban commander during an overnight raid in Wardak province Monday."
    events = extract_events(text, date(2012, 6, 13))  # a Wednesday
    assert events and events[0].event_date == "2012-06-11"


def test_an_undated_event_takes_the_report_date_with_week_precision(extract_events) -> None:
    text = "Afghan soldiers detained two suspected insurgents in Panjwai district, Kandahar province."
    events = extract_events(text, date(2012, 6, 13))
    assert events
    ev = events[0]
    assert ev.event_date == "2012-06-13" and ev.time_precision == 2
    assert ev.date_earliest == "2012-06-07" and ev.date_latest == "2012-06-13"


def test_a_report_dated_date_bounds_an_otherwise_undated_event(extract_events) -> None:
    text = "On 9 June 2012, residents reported that a shoot-out took place in Kandahar city."
    events = extract_events(text, date(2012, 6, 12))
    assert events and events[0].event_date == "2012-06-09"


def test_a_range_of_two_full_dates_is_one_window(nlp) -> None:
    doc = nlp("Sometime between March 2, 2021 and March 11, 2021, gunmen seized a truck on the road.")
    found = [d for d in find_dates(doc, date(2021, 3, 14)) if d.window is not None]
    assert len(found) == 1
    assert (found[0].window.earliest, found[0].window.latest) == (date(2021, 3, 2), date(2021, 3, 11))


def test_a_date_in_a_relative_clause_on_another_noun_is_not_the_events(extract_events) -> None:
    text = (
        "On 8 June 2012, residents protested in Herat city to demand the release of a teacher who has "
        "been in detention since 1 June 2012."
    )
    events = extract_events(text, date(2012, 6, 10))
    assert events and all(e.event_date == "2012-06-08" for e in events)


def test_a_count_the_ner_calls_a_year_is_no_date(nlp) -> None:
    # "a total of 1513 shots": taken for the year 1513, it made the whole report history.
    doc = nlp("On 2 May 2020, the monitors observed a total of 1513 shots near Horlivka.")
    found = [(m.text, m.historical) for m in find_dates(doc[:], date(2020, 5, 5))]
    assert found == [("2 May 2020", False)]
    doc = nlp("A total of 1998 people fled the fighting, as they did in the 1994 war.")
    assert [m.text for m in find_dates(doc[:], date(2020, 5, 5))] == ["1994"]
