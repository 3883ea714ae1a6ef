"""Recognise a wire-style dateline at the start of a report and read its date.

Examples it reads:
    KANDAHAR, Afghanistan (July 9, 2021) — ...
    Kabul, 9 July 2021: ...
    KABUL, July 9 (Reuters) - ...      (no year: only with a reference date to take it from)
    LASHKAR GAH, Afghanistan, Sept. 3, 2021 -- ...

The date must sit in the first line, right after a capitalised place name, and be followed by a dash or a
colon (optionally after an agency in brackets): prose that merely starts with a date is not a dateline.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
    r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:Mon|Tues?|Wed(?:nes)?|Thu(?:rs)?|Fri|Sat(?:ur)?|Sun)(?:day)?\.?,?\s+)?"
_ORD = r"(?:st|nd|rd|th)?"
_DATE = (
    rf"(?:{_WEEKDAY}(?P<m1>{_MONTH})\s+(?P<d1>\d{{1,2}}){_ORD}(?:[,.]?\s+(?P<y1>\d{{4}}))?"  # July 9, 2021
    rf"|{_WEEKDAY}(?P<d2>\d{{1,2}}){_ORD}\s+(?P<m2>{_MONTH})(?:,?\s+(?P<y2>\d{{4}}))?"  # 9 July 2021
    r"|(?P<iso>\d{4}-\d{2}-\d{2}))"  # 2021-07-09
)
# A place: capitalised words, commas between parts ("KANDAHAR, Afghanistan"), no digits or sentence ends.
_WORD = r"[A-Z][A-Za-z'’.\-]*"
_PLACE = rf"(?P<place>{_WORD}(?:[ \-]{_WORD}){{0,3}}(?:,\s*{_WORD}(?:[ \-]{_WORD}){{0,3}}){{0,2}})"
_AGENCY = r"(?:\s*\([A-Z][A-Za-z .&'-]{0,40}\))?"
_DASH = r"\s*(?:—|–|--|-|:)"
_TRAILING_WEEKDAY = re.compile(r",\s*(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day$")
# A dash or colon ends the dateline; a bracketed date may also end its line ("KABUL, Afghanistan (July 9,
# 2021)" above the first paragraph, as press releases set it).
_DATELINE = re.compile(rf"[ \t]*{_PLACE}[ ,]\s*\(?{_DATE}\)?(?:{_AGENCY}{_DASH}|(?<=\))[ \t]*(?=\r?\n|$))")


@dataclass(frozen=True, slots=True)
class Dateline:
    place: str
    date: date
    start: int  # character offsets of the whole dateline in the text
    end: int
    year_given: bool


def find_dateline(text: str, reference: date | None = None, *, max_lines: int = 3) -> Dateline | None:
    """The dateline at the start of one of the first `max_lines` non-blank lines of `text`, or None.

    Several lines because extracted web pages often start with the headline (and a byline) before it.
    A dateline without a year is taken only when `reference` (e.g. the `--published` default) is given:
    the year is the reference's, moved back one when that would put the date more than a week after it.
    """
    pos, seen = 0, 0
    while seen < max_lines and pos < len(text):
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl
        if text[pos:end].strip():
            seen += 1
            m = _DATELINE.match(text, pos, min(end, pos + 300))
            if m:
                return _read(m, reference)
        pos = end + 1
    return None


def _read(m: re.Match[str], reference: date | None) -> Dateline | None:
    year_given = True
    try:
        if m["iso"]:
            d = date.fromisoformat(m["iso"])
        else:
            month = _MONTHS[_month_key(m)]
            day = int(m["d1"] or m["d2"])
            year_s = m["y1"] or m["y2"]
            if year_s:
                d = date(int(year_s), month, day)
            else:
                year_given = False
                if reference is None:
                    return None
                d = date(reference.year, month, day)
                if d > reference + timedelta(days=7):
                    d = date(reference.year - 1, month, day)
    except ValueError:  # 31 June, 2021-13-45: not a date, so not a dateline
        return None
    place = _TRAILING_WEEKDAY.sub("", m["place"]).strip(" ,")
    return Dateline(place, d, m.start("place"), m.end(), year_given)


def _month_key(m: re.Match[str]) -> str:
    name = (m["m1"] or m["m2"]).rstrip(".").lower()
    return "sept" if name.startswith("sept") else name[:3]


def parse_dateline(text: str, reference: date | None = None, *, max_lines: int = 3) -> date | None:
    """The date of the dateline at the start of `text`, or None."""
    dl = find_dateline(text, reference, max_lines=max_lines)
    return dl.date if dl else None
