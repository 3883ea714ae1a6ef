"""Dates: resolve date expressions against the publication date into ACLED-style windows.

`resolve` turns one expression ("Friday", "last week", "early July", "9 July 2021") into a
`DateWindow` (earliest, latest, ACLED time precision). Our own rules run first because they are
fast and cover what wire reports use; dateparser is only a fallback for absolute dates the rules
miss (it is slow). Results are cached by (text, published).

Conventions (news reports past events):
- A bare weekday is the most recent such day on or before publication; the publication weekday
  itself is that day. "last Friday" is strictly before publication.
- A month without a year is the latest one starting on or before publication ("in December" in a
  July report is last December). A day without a year is the occurrence nearest to publication;
  one ahead of publication (an announced date) is returned as is: callers compare with `published`
  (`is_future`) and do not code future windows as events.
- "last week" is the previous Monday-Sunday; "the last week"/"the past week" the seven days up to
  publication; "this week" Monday of the publication week to publication.
- Anything vaguer than a month ("this year", "recent months", "since 2001") has no window.

`find_dates` marks a mention `historical` when it is clearly before the reporting period: a year
before the publication year given without a month ("in 1996", "since 2001"), "N years/decades ago",
"last year", or a window ending more than `HISTORICAL_DAYS` days before publication.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, datetime, timedelta
from functools import lru_cache

from text_to_num import text2num

from frontlines.extract.mentions import DateMention, DateWindow
from frontlines.nlp import char_span, doc_text, ents_in, span_text

# A window ending this long before publication is background, not a reported event (about two months:
# monthly casualty totals for the previous month stay in, last spring's battles do not).
HISTORICAL_DAYS = 62

_MONTHS: dict[str, int] = {}
for _i, _name in enumerate(calendar.month_name):
    if _i:
        _MONTHS[_name.lower()] = _i
        _MONTHS[_name.lower()[:3]] = _i
_MONTHS["sept"] = 9
_WEEKDAYS: dict[str, int] = {}
for _i, _name in enumerate(calendar.day_name):
    _WEEKDAYS[_name.lower()] = _i
    _WEEKDAYS[_name.lower()[:3]] = _i

_MONTH_RE = r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
_WD_RE = r"(?P<wd>(?:mon|tue(?:s)?|wed(?:nes)?|thu(?:r(?:s)?)?|fri|sat(?:ur)?|sun)(?:day)?)\.?"
_TOD = r"(?:\s+(?:morning|afternoon|evening|night|midday|noon|dawn))?"
_ORD = r"(?:st|nd|rd|th)?"
_NUMWORD = r"(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a few|few|several|a couple of|couple of)"

# Leading words that do not change the meaning ("on Friday", "in June", "during the weekend").
_LEAD = re.compile(r"^(?:(?:on|in|during|at|of|over|around|about|for|throughout|within)\s+)+")
_SPACE = re.compile(r"\s+")

_ISO = re.compile(r"^(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})$")
_DMY = re.compile(
    rf"^(?:{_WD_RE},?\s+)?(?:the\s+)?(?P<d>\d{{1,2}}){_ORD}(?:\s+of)?\s+{_MONTH_RE}(?:,?\s+(?P<y>\d{{4}}))?{_TOD}$"
)
_MDY = re.compile(
    rf"^(?:{_WD_RE},?\s+)?{_MONTH_RE}\s+(?P<d>\d{{1,2}}){_ORD}(?:[,.]?\s*(?P<y>\d{{4}}))?{_TOD}$"
)
_MONTH_ONLY = re.compile(
    rf"^(?P<mod>early|late|mid|the middle of|middle of|the end of|end of|the beginning of|beginning of|the start of|start of)?[\s-]*{_MONTH_RE}(?:,?\s+(?P<y>\d{{4}}))?$"
)
_WEEKDAY = re.compile(
    rf"^(?P<mod>early|late|last|this|past|next|this coming|coming)?\s*(?:on\s+)?{_WD_RE}{_TOD}$"
)
_AGO = re.compile(rf"^{_NUMWORD}\s+(?P<unit>day|week|month|year|decade)s?\s+ago$")
_PAST_N = re.compile(
    rf"^(?:the\s+)?(?:last|past|previous|preceding)\s+(?:{_NUMWORD}\s+)?(?P<unit>day|week|month)s?(?:\s+alone)?$"
)
_YEAR = re.compile(r"^(?P<mod>since|early|late|mid|the end of|end of)?[\s-]*(?P<y>\d{4})$")
_DECADE = re.compile(r"^(?:the\s+)?(?:(?:early|mid|late)[\s-]+)?(?P<y>\d{3}0)'?s$")
_SINCE = re.compile(r"^since\s+(?P<rest>.+)$")
_BETWEEN = re.compile(r"^(?:between|from)\s+(?P<a>.+?)\s+(?:and|to|until|through)\s+(?P<b>.+)$")
_DIGIT_WORDS = {"a": 1, "an": 1, "few": 3, "a few": 3, "several": 3, "a couple of": 2, "couple of": 2}

_FIXED: dict[str, tuple[int, int]] = {
    # phrase -> (days before publication for earliest, for latest); precision follows the span
    "today": (0, 0),
    "tonight": (0, 0),
    "this morning": (0, 0),
    "this afternoon": (0, 0),
    "this evening": (0, 0),
    "earlier today": (0, 0),
    "early today": (0, 0),
    "earlier in the day": (0, 0),
    "yesterday": (1, 1),
    "yesterday morning": (1, 1),
    "yesterday afternoon": (1, 1),
    "yesterday evening": (1, 1),
    "late yesterday": (1, 1),
    "early yesterday": (1, 1),
    "last night": (1, 1),
    "late last night": (1, 1),
    "overnight": (1, 1),
    "the previous night": (1, 1),
    "the day before yesterday": (2, 2),
    "recent days": (3, 0),
    "the last few days": (3, 0),
    "the past few days": (3, 0),
    "last few days": (3, 0),
    "past few days": (3, 0),
    "the last several days": (3, 0),
    "the past several days": (3, 0),
    "the last couple of days": (2, 0),
    "the past couple of days": (2, 0),
    "the past 24 hours": (1, 0),
    "the last 24 hours": (1, 0),
    "the past 48 hours": (2, 0),
    "the last 48 hours": (2, 0),
    "the last week": (7, 0),
    "the past week": (7, 0),
    "the previous week": (7, 0),
    "this past week": (7, 0),
    "the last week alone": (7, 0),
    "the past week alone": (7, 0),
    "recent weeks": (21, 0),
    "the last few weeks": (21, 0),
    "the past few weeks": (21, 0),
    "the last month": (30, 0),
    "the past month": (30, 0),
}
# Vaguer than a month: no window; the first group is also background.
_VAGUE_HISTORICAL = {
    "last year",
    "the previous year",
    "years ago",
    "decades ago",
    "a decade ago",
    "in the past",
}
_VAGUE = {
    "this year",
    "recent months",
    "the past few months",
    "the last few months",
    "in recent months",
    "recent years",
    "the past year",
    "the last year",
    "this month alone",
    "earlier this year",
}


def _window(a: date, b: date, precision: int | None = None) -> DateWindow:
    if b < a:
        a, b = b, a
    if precision is None:
        span = (b - a).days
        precision = 1 if span == 0 else 2 if span <= 7 else 3
    return DateWindow(a, b, precision)


def _month_window(y: int, m: int, mod: str | None = None) -> DateWindow:
    last = calendar.monthrange(y, m)[1]
    if mod == "early" or (mod and ("beginning" in mod or "start" in mod)):
        return DateWindow(date(y, m, 1), date(y, m, 10), 3)
    if mod == "late" or (mod and "end" in mod):
        return DateWindow(date(y, m, last - 9), date(y, m, last), 3)
    if mod and "mid" in mod:
        return DateWindow(date(y, m, 11), date(y, m, 20), 3)
    return DateWindow(date(y, m, 1), date(y, m, last), 3)


def _year_for(published: date, month: int, day: int | None) -> int:
    """The year of a date given without one. A month starting after publication is last year's ("in
    December" in a July report); a day is taken in the year that puts it nearest to publication, so
    "December 28" in a January report is last year's and "August 31" in a July report is this year's
    (ahead of publication: an announced date, which callers see with `is_future`)."""
    y = published.year
    if day is None:
        return y - 1 if date(y, month, 1) > published else y
    best = None
    for cand in (y, y - 1, y + 1):
        d = date(cand, month, min(day, 28) if month == 2 else day)
        gap = abs((d - published).days) + (1 if d > published else 0)  # ties go to the past
        if best is None or gap < best[0]:
            best = (gap, cand)
    return best[1]


def _count(n: str) -> int | None:
    if n.isdigit():
        return int(n)
    if n in _DIGIT_WORDS:
        return _DIGIT_WORDS[n]
    try:
        return text2num(n, "en")
    except ValueError:
        return None


def _normalise(text: str) -> str:
    s = _SPACE.sub(" ", text.lower().replace("\u2013", "-").replace("\u2014", "-")).strip(" ,.;:()'\"")
    s = _LEAD.sub("", s)
    return s


def resolve(text: str, published: date | None) -> DateWindow | None:
    """The window a date expression allows, relative to `published`; None when too vague or not a date."""
    if not isinstance(text, str) or len(text) > 200:
        return None
    try:
        return _interpret(_normalise(text), published)[0]
    except (ValueError, OverflowError):
        return None


def is_historical(text: str, published: date | None) -> bool:
    """Whether an expression clearly points before the reporting period (see module doc)."""
    try:
        return _interpret(_normalise(text), published)[1]
    except (ValueError, OverflowError):
        return False


def is_future(w: DateWindow, published: date | None) -> bool:
    """A window starting after publication: announced or expected, not a reported event."""
    return published is not None and w.earliest > published


@lru_cache(maxsize=65536)
def _interpret(s: str, published: date | None) -> tuple[DateWindow | None, bool]:
    """(window, historical) for a normalised expression."""
    w, hist = _rules(s, published)
    if w is None and not hist:
        w = _dateparser_fallback(s, published)
    if w is not None and published is not None and not hist:
        hist = (published - w.latest).days > HISTORICAL_DAYS
    return w, hist


def _rules(s: str, p: date | None) -> tuple[DateWindow | None, bool]:
    if not s:
        return None, False
    if m := _ISO.match(s):
        d = date(int(m["y"]), int(m["m"]), int(m["d"]))
        return DateWindow(d, d, 1), False
    for rx in (_DMY, _MDY):
        if m := rx.match(s):
            month, day = _MONTHS[m["month"][:3]], int(m["d"])
            if m["y"]:
                year = int(m["y"])
            elif p is not None:
                year = _year_for(p, month, day)
            else:
                return None, False
            d = date(year, month, day)
            return DateWindow(d, d, 1), False
    if m := _MONTH_ONLY.match(s):
        month = _MONTHS[m["month"][:3]]
        if m["y"]:
            year = int(m["y"])
        elif p is not None:
            year = _year_for(p, month, None)
        else:
            return None, False
        return _month_window(year, month, m["mod"]), False
    if m := _WEEKDAY.match(s):
        if p is None:
            return None, False
        wd = _WEEKDAYS[m["wd"][:3]]
        back = (p.weekday() - wd) % 7
        mod = m["mod"] or ""
        if mod == "last" and back == 0:
            back = 7
        if mod in ("next", "this coming", "coming"):
            back = -((wd - p.weekday()) % 7 or 7)
        d = p - timedelta(days=back)
        return DateWindow(d, d, 1), False
    if s in _FIXED:
        if p is None:
            return None, False
        a, b = _FIXED[s]
        return _window(p - timedelta(days=a), p - timedelta(days=b)), False
    if s in _VAGUE_HISTORICAL:
        return None, True
    if s in _VAGUE:
        return None, False
    if m := _AGO.match(s):
        n = _count(m["n"])
        if n is None:
            return None, False
        unit = m["unit"]
        if unit in ("year", "decade"):
            return None, True
        if p is None:
            return None, False
        if unit == "day":
            d = p - timedelta(days=n)
            return DateWindow(d, d, 1), False
        if unit == "week":
            monday = p - timedelta(days=p.weekday() + 7 * n)
            return DateWindow(monday, monday + timedelta(days=6), 2), False
        y, mo = divmod(p.year * 12 + p.month - 1 - n, 12)
        return _month_window(y, mo + 1), False
    if s in ("last week", "the week before", "previous week"):
        if p is None:
            return None, False
        monday = p - timedelta(days=p.weekday() + 7)
        return DateWindow(monday, monday + timedelta(days=6), 2), False
    if s in ("last month", "the previous month", "the month before"):
        if p is None:
            return None, False
        y, mo = divmod(p.year * 12 + p.month - 2, 12)
        return _month_window(y, mo + 1), False
    if m := _PAST_N.match(s):
        if p is None:
            return None, False
        n = _count(m["n"]) if m["n"] else 1
        if n is None:
            return None, False
        days = n * {"day": 1, "week": 7, "month": 30}[m["unit"]]
        if days > 45:
            return None, False
        return _window(p - timedelta(days=days), p), False
    if s in (
        "the start of the week",
        "the beginning of the week",
        "the start of this week",
        "early this week",
    ):
        if p is None:
            return None, False
        monday = p - timedelta(days=p.weekday())
        return _window(monday, min(monday + timedelta(days=1), p), 2), False
    if s in ("this week", "earlier this week"):
        if p is None:
            return None, False
        return _window(p - timedelta(days=p.weekday()), p, 2), False
    if s in (
        "the weekend",
        "weekend",
        "last weekend",
        "this weekend",
        "this past weekend",
        "the past weekend",
    ):
        if p is None:
            return None, False
        sat = p - timedelta(days=(p.weekday() - 5) % 7)
        if s == "last weekend" and p.weekday() >= 5:
            sat -= timedelta(days=7)
        return _window(sat, min(sat + timedelta(days=1), p), 2), False
    if s in ("this month", "earlier this month"):
        if p is None:
            return None, False
        return DateWindow(p.replace(day=1), p, 3), False
    if m := _YEAR.match(s):
        y = int(m["y"])
        return None, p is not None and y < p.year
    if m := _DECADE.match(s):
        return None, p is not None and int(m["y"]) + 9 < p.year
    if m := _SINCE.match(s):
        w, hist = _rules(m["rest"], p)
        if w is None or p is None or w.earliest > p:
            return None, hist
        return _window(w.earliest, p), False
    if m := _BETWEEN.match(s):
        a, _ = _rules(m["a"], p)
        b, _ = _rules(m["b"], p)
        if a is None or b is None or b.latest < a.earliest:
            return None, False
        return _window(a.earliest, b.latest), False
    return None, False


# Worth dateparser's time: a month name with a figure, or a numeric day/month/year ("07/09/2021").
_HAS_MONTH = re.compile(r"\b" + _MONTH_RE.replace("(?P<month>", "(?:") + r"(?:\s|,|$)")
_NUMERIC_DATE = re.compile(r"^\d{1,2}[/.]\d{1,2}[/.](?:\d{2}|\d{4})$")


def _numeric(s: str, p: date | None) -> DateWindow | None:
    """ "01/03/2021": month/day (US, GTD) or day/month (most of the world). Where both readings are
    calendar dates, take the one on or before publication that is nearest to it; else month/day."""
    m = re.fullmatch(r"(\d{1,2})[/.](\d{1,2})[/.](\d{4})", s.strip())
    if not m:
        return None
    a, b, y = (int(g) for g in m.groups())
    readings = []
    for month, day in ((a, b), (b, a)):
        try:
            readings.append(date(y, month, day))
        except ValueError:
            continue
    if not readings:
        return None
    if p is not None:
        past = [d for d in readings if d <= p]
        if past:
            d = max(past)
            return DateWindow(d, d, 1)
    return DateWindow(readings[0], readings[0], 1)


def _dateparser_fallback(s: str, p: date | None) -> DateWindow | None:
    """Absolute dates in shapes our rules do not know ("07/09/2021", "the 9th of July, 2021")."""
    numeric = _numeric(s, p)
    if numeric is not None:
        return numeric
    if not ((_HAS_MONTH.search(s) and re.search(r"\d", s)) or _NUMERIC_DATE.match(s)):
        return None
    if p is None and not re.search(r"\d{4}", s):
        return None
    import dateparser  # slow to import; only needed here

    settings = {"RETURN_TIME_AS_PERIOD": True, "PREFER_DAY_OF_MONTH": "first"}
    if p is not None:
        settings["RELATIVE_BASE"] = datetime(p.year, p.month, p.day)
    data = dateparser.date.DateDataParser(languages=["en"], settings=settings).get_date_data(s)
    if data is None or data.date_obj is None:
        return None
    d = data.date_obj.date()
    if data.period == "day":
        return DateWindow(d, d, 1)
    if data.period == "month":
        return _month_window(d.year, d.month)
    return None


def coded_date(w: DateWindow) -> date:
    """ACLED's event_date for a window: the day; the middle of a week/few days; the 15th of a whole month."""
    if w.earliest >= w.latest:
        return w.earliest
    if (
        w.precision == 3
        and w.earliest.day == 1
        and w.earliest.month == w.latest.month
        and w.earliest.year == w.latest.year
    ):
        if w.latest.day == calendar.monthrange(w.latest.year, w.latest.month)[1]:
            return w.earliest.replace(day=15)
    return w.earliest + timedelta(days=(w.latest - w.earliest).days // 2)


# Expressions spaCy tends to miss or cut short; matched on the original text (case-insensitive).
_FIND = re.compile(
    r"\b(?:"
    r"(?:(?:early|late|last|this)\s+(?:on\s+)?)?(?:mon|tues|wednes|thurs|fri|satur|sun)day(?:\s+(?:morning|afternoon|evening|night))?"
    r"|(?:late\s+)?(?:yesterday|last night|overnight|today|tonight)"
    r"|(?:over|during)\s+the\s+(?:past\s+)?weekend"
    r"|\d{4}-\d{2}-\d{2}"
    r"|(?:the\s+)?(?:last|past)\s+(?:few|several|\d+|two|three|four|five|six|seven)\s+days"
    r"|(?:in\s+)?recent\s+days"
    r")\b",
    re.IGNORECASE,
)
# Full absolute dates, which the tagger often cuts ("Around 9 May 2020" -> "May 2020"; "30 Apr 2020" -> "2020").
_CAP_MONTH = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|"
    r"Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_ABS_FIND = re.compile(
    rf"\b(?:[Ss]ince\s+)?(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_CAP_MONTH}(?:,?\s+\d{{4}})?"
    rf"|{_CAP_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    # Numeric dates ("01/03/2021:", "2021-07-09"), which the tagger often leaves untagged.
    rf"|\d{{1,2}}/\d{{1,2}}/\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})(?![\w-])"
)
_ABS_CORE = (
    rf"(?:\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_CAP_MONTH}(?:,?\s+\d{{4}})?"
    rf"|{_CAP_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)"
)
# "between January 1, 2021 and January 12, 2021": one window, not two days.
_RANGE_FIND = re.compile(
    rf"\b(?:[Bb]etween|[Ff]rom)\s+{_ABS_CORE}\s+(?:and|to|until|through)\s+{_ABS_CORE}(?![\w-])"
)
# Words that modify the date right before a spaCy entity and change its window.
_PRE_MODIFIERS = {"since", "early", "late", "mid", "last", "past", "this"}
_CALENDAR_WORD = re.compile(
    r"\b(?:day|days|week|weeks|month|months|year|years|decade|decades|weekend|\d{4}|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|"
    r"january|february|march|april|june|july|august|september|october|november|december)\b",
    re.IGNORECASE,
)


_BARE_WEEKDAY = re.compile(rf"^(?:on\s+)?{_WD_RE}{_TOD}$")
_FUTURE_AUX = {"will", "'ll", "shall", "wo"}
_SCHEDULE = {
    "due",
    "expect",
    "schedule",
    "set",
    "plan",
    "go",
    "begin",
    "start",
    "resume",
    "open",
    "end",
    "expire",
}


def _is_bare_weekday(text: str) -> bool:
    return bool(_BARE_WEEKDAY.match(_SPACE.sub(" ", text.lower().strip())))


def _future_clause(tok) -> bool:
    """Whether the clause a date sits in speaks of the future ("will start on Monday", "the truce
    begins on Thursday", "is due on Friday"): a bare weekday there is the next one, not the last."""
    v = tok
    for _ in range(6):
        if v.pos_ in ("VERB", "AUX") or v.dep_ == "ROOT":
            break
        if v.head is v:
            break
        v = v.head
    if v.pos_ not in ("VERB", "AUX", "ADJ"):
        return False
    kids = list(v.children)
    if any(c.lower_ in _FUTURE_AUX and c.dep_ == "aux" for c in kids):
        return True
    if v.lemma_ == "be" and any(c.lower_ in ("due", "expected", "scheduled", "set") for c in kids):
        return True
    if v.tag_ == "VB" and v.dep_ == "xcomp" and v.head.lemma_.lower() in _SCHEDULE | {"plan", "agree"}:
        return True  # "are expected to resume on Friday"
    if v.tag_ in ("VBZ", "VBP") and not any(c.dep_ in ("aux", "auxpass") for c in kids):
        # present tense reports past events in headlines; only verbs of schedule look ahead ("begins")
        return v.lemma_.lower() in _SCHEDULE
    return False


def _upcoming(w: DateWindow, published: date | None) -> DateWindow:
    """The same weekday on or after publication."""
    if published is None or w.earliest > published:
        return w
    ahead = (w.earliest.weekday() - published.weekday()) % 7
    d = published + timedelta(days=ahead)
    return DateWindow(d, d, w.precision)


def _a_count_not_a_year(ent, published: date | None) -> bool:  # ent: spacy Span
    """A bare four-digit figure the NER took for a year: "a total of 1513 shots". Reports name years
    from the last century or so; a figure outside that, or counted ("a total of"), is a number."""
    if len(ent) != 1 or not ent.text.isdigit() or len(ent.text) != 4:
        return False
    value = int(ent.text)
    latest = (published.year if published else date.today().year) + 1
    if not 1900 <= value <= latest:
        return True
    doc = ent.doc
    before = " ".join(t.lower_ for t in doc[max(0, ent.start - 2) : ent.start])
    return before.endswith("total of")


def find_dates(span, published: date | None) -> list[DateMention]:  # span: spacy Span or Doc
    """Date mentions in a sentence or document, resolved against `published`.

    spaCy DATE/TIME entities first (stray leading tokens such as a count are dropped until the rest
    resolves), then our own patterns for what the tagger misses. Unresolvable entities are kept (window
    None) only when they carry a calendar word, so durations like "three days" stay visible to callers
    while number ranges mistagged as DATE do not. A bare weekday in a future-tense clause ("will start on
    Monday", "the truce begins on Thursday") is the coming one. Future windows are returned as is, for the
    caller to drop (see `is_future`).
    """
    doc = span.doc if hasattr(span, "doc") else span
    base = span.start_char if hasattr(span, "start_char") else 0
    text = doc_text(doc)
    out: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    stext = span_text(span)
    for m in _RANGE_FIND.finditer(stext):
        w = resolve(m.group(0), published)
        if w is not None:
            start, end = base + m.start(), base + m.end()
            out.append(DateMention(start, end, m.group(0), w, is_historical(m.group(0), published)))
            taken.append((start, end))
    for m in _ABS_FIND.finditer(stext):
        if any(base + m.start() < b and a < base + m.end() for a, b in taken):
            continue
        w = resolve(m.group(0), published)
        if w is not None:
            start, end = base + m.start(), base + m.end()
            out.append(DateMention(start, end, m.group(0), w, is_historical(m.group(0), published)))
            taken.append((start, end))
    for ent in ents_in(span):
        if ent.label_ not in ("DATE", "TIME") or any(
            ent.start_char < b and a < ent.end_char for a, b in taken
        ):
            continue
        if _a_count_not_a_year(ent, published):
            continue
        tokens = list(ent)
        prev = doc[ent.start - 1] if ent.start > 0 else None
        if prev is not None and prev.lower_ in _PRE_MODIFIERS:
            tokens.insert(0, prev)
        found = None
        for k in range(min(4, len(tokens))):
            start, end = tokens[k].idx, tokens[-1].idx + len(tokens[-1].text)
            piece = text[start:end]
            w = resolve(piece, published)
            hist = is_historical(piece, published)
            if w is not None and _is_bare_weekday(piece) and _future_clause(tokens[-1]):
                w = _upcoming(w, published)
            if w is not None or hist:
                found = DateMention(start, end, piece, w, hist)
                break
        if found is None and _CALENDAR_WORD.search(ent.text):
            found = DateMention(ent.start_char, ent.end_char, ent.text, None, False)
        if found is not None:
            out.append(found)
            taken.append((found.start, found.end))
    for m in _FIND.finditer(stext):
        start, end = base + m.start(), base + m.end()
        if any(start < b and a < end for a, b in taken):
            continue
        w = resolve(m.group(0), published)
        if w is None:
            continue
        if _is_bare_weekday(m.group(0)):
            tok = span.doc[char_span(span.doc, start, end).end - 1] if end > start else None
            if tok is not None and _future_clause(tok):
                w = _upcoming(w, published)
        out.append(DateMention(start, end, m.group(0), w, is_historical(m.group(0), published)))
        taken.append((start, end))
    out.sort(key=lambda d: d.start)
    return out
