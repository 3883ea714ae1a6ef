"""Datelines at the start of a report give its publication date when metadata has none."""

from __future__ import annotations

from datetime import date

import pytest

from frontlines.ingest.dateline import find_dateline, parse_dateline


@pytest.mark.parametrize(
    ("text", "place", "expected"),
    [
        (
            "KANDAHAR, Afghanistan (July 9, 2021) — Fighters attacked",
            "KANDAHAR, Afghanistan",
            date(2021, 7, 9),
        ),
        ("Kabul, 9 July 2021: The ministry said", "Kabul", date(2021, 7, 9)),
        (
            "LASHKAR GAH, Afghanistan, Sept. 3, 2021 -- Residents fled",
            "LASHKAR GAH, Afghanistan",
            date(2021, 9, 3),
        ),
        ("HERAT, Afghanistan, Friday, July 9, 2021 – Traders said", "HERAT, Afghanistan", date(2021, 7, 9)),
        ("Mazar-i-Sharif, 2021-08-14 — Crowds gathered", "Mazar-i-Sharif", date(2021, 8, 14)),
        ("KUNDUZ, Aug. 8, 2021 (AP) — Officials said", "KUNDUZ", date(2021, 8, 8)),
        ("  \nFARAH, 1st June 2021 - A convoy", "FARAH", date(2021, 6, 1)),
    ],
)
def test_datelines_with_a_year(text: str, place: str, expected: date) -> None:
    dl = find_dateline(text)
    assert dl is not None
    assert dl.date == expected
    assert dl.place == place
    assert dl.year_given
    assert text[dl.start : dl.end].startswith(place)


def test_yearless_dateline_needs_a_reference() -> None:
    text = "KABUL, July 9 (Reuters) - Officials said on Friday"
    assert parse_dateline(text) is None
    assert parse_dateline(text, date(2021, 7, 12)) == date(2021, 7, 9)
    dl = find_dateline(text, date(2021, 7, 12))
    assert dl is not None and not dl.year_given


def test_yearless_dateline_after_the_reference_is_last_year() -> None:
    # A December dateline read with a January reference belongs to the year before.
    assert parse_dateline("KABUL, Dec. 30 (Reuters) - x", date(2022, 1, 4)) == date(2021, 12, 30)


@pytest.mark.parametrize(
    "text",
    [
        "On July 9, 2021 the Taliban entered the city.",  # prose, no dash after the date
        "Taliban fighters took the town on July 9, 2021 - officials said",  # not at the start
        "KABUL (AP) — Officials said",  # no date at all
        "KABUL, June 31, 2021 - A date that does not exist",
        "KABUL, 2021-13-45 — Not a date",
        "The report, published July 9, 2021 - was late",  # lower-case words are not a place
        "",
    ],
)
def test_not_datelines(text: str) -> None:
    assert parse_dateline(text, date(2021, 7, 12)) is None


def test_dateline_after_a_headline() -> None:
    text = (
        "Rockets hit an airport runway\nBy Staff\nKANDAHAR, Afghanistan (Aug. 1, 2021) — Three rockets struck"
    )
    dl = find_dateline(text)
    assert dl is not None and dl.date == date(2021, 8, 1)
    assert text[dl.start : dl.end] == "KANDAHAR, Afghanistan (Aug. 1, 2021) —"


def test_dateline_only_in_the_first_lines() -> None:
    text = "Headline\n\nStandfirst\nBy Staff\nKABUL, July 9, 2021 — Too far down to be the dateline"
    assert parse_dateline(text) is None
    assert parse_dateline(text, max_lines=4) == date(2021, 7, 9)


def test_bracketed_date_alone_on_its_line_is_a_dateline() -> None:
    # Press releases set the dateline above the first paragraph, with no dash after it.
    text = "For Immediate Release\nHERAT, Afghanistan (Oct. 4, 2012)\nA patrol found a weapons cache."
    dl = find_dateline(text)
    assert dl is not None and dl.date == date(2012, 10, 4) and dl.place == "HERAT, Afghanistan"
    # A typed full stop for the comma before the year.
    assert parse_dateline("HERAT, Afghanistan (Oct. 4. 2012)\nA patrol ...") == date(2012, 10, 4)
    # Without the bracket and line end, prose after a date is still no dateline.
    assert parse_dateline("HERAT, Afghanistan (Oct. 4, 2012) a patrol found a cache") is None
