"""Loaders for the gold sets: each row becomes a GoldRow (a text to extract from, a publication date
that does not leak the answer, and the gold fields under frontlines' own field names).

Formats (see ../shared/eval-data/README.md):
  acled     ACLED export CSV (any ACLED-format CSV with `notes`)
  case      CASE 2021 task 2 CSV: id, EventSnippet, SubType
  isaf      JSON Lines: {"text": release, "gold": {start_date, province: [..], min_killed, event_type: [..]}}
  gtd       GTD CSV: summary, iyear/imonth/iday, provstate, nkill, attacktype1_txt, targtype1_txt, scite1-3
  location  Prodigy-style JSON (a list, or one object a line; optionally zipped): text, spans VERB/LOCATION
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import islice
from pathlib import Path
from typing import Any

from frontlines.eval.mappings import (
    ACLED_INTER_CODES,
    CASE_LABELS,
    GTD_ARMED_TARGETS,
    GTD_ATTACK_TYPES,
    ISAF_EVENT_TYPES,
)

# ACLED's `timestamp` (upload time) is 2-14 days after the event in the dev export, so it is a
# publication date that never precedes the event; without it we assume a week's reporting lag.
ACLED_FALLBACK_LAG = timedelta(days=7)


@dataclass(slots=True)
class GoldRow:
    id: str
    text: str
    published: date | None
    gold: dict[str, Any]
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class DatasetSpec:
    name: str
    rel_path: str  # under the eval-data root
    loader: Callable[[Path, int | None], list[GoldRow]]
    expected_rows: int  # as the README states, for the real-data test


def eval_data_root() -> Path:
    """`$FRONTLINES_EVAL_DATA`, else ../shared/eval-data beside the working directory or the repo."""
    env = os.environ.get("FRONTLINES_EVAL_DATA")
    if env:
        return Path(env)
    cwd = Path.cwd() / ".." / "shared" / "eval-data"
    if cwd.is_dir():
        return cwd.resolve()
    repo = Path(__file__).resolve().parents[3]
    return (repo / ".." / "shared" / "eval-data").resolve()


# ---------------------------------------------------------------- helpers


def _csv_rows(path: Path, limit: int | None) -> Iterator[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as f:
        yield from islice(csv.DictReader(f), limit)


_DATE_FORMATS = ("%d-%b-%y", "%d-%B-%y", "%d-%b-%Y", "%d %B %Y", "%d %b %Y", "%Y-%m-%d", "%d/%m/%Y")


def parse_gold_date(s: str | None) -> date | None:
    """Dates as ACLED exports spell them ("9-May-20", "09 May 2020", "2020-05-09")."""
    s = (s or "").strip()
    if not s:
        return None
    for fmt in _DATE_FORMATS:
        try:
            return datetime.strptime(s, fmt).date()
        except ValueError:
            continue
    return None


def _float(s: str | None) -> float | None:
    try:
        return float(s) if s not in (None, "") else None
    except ValueError:
        return None


def _known(gold: dict[str, Any]) -> dict[str, Any]:
    """Drop fields the gold does not code, so they are not scored (unlike ACLED, where blank admin2 is an answer)."""
    return {k: v for k, v in gold.items() if v is not None}


def _int(s: Any) -> int | None:
    f = _float(s) if isinstance(s, str) else s
    return int(f) if isinstance(f, int | float) else None


# ---------------------------------------------------------------- ACLED


def load_acled(path: Path, limit: int | None = None) -> list[GoldRow]:
    out = []
    for i, r in enumerate(_csv_rows(path, limit)):
        ev_date = parse_gold_date(r.get("event_date"))
        published, source = None, "none"
        ts = (r.get("timestamp") or "").strip()
        if ts.isdigit():
            published, source = datetime.fromtimestamp(int(ts), tz=UTC).date(), "timestamp"
        elif ev_date:
            published, source = ev_date + ACLED_FALLBACK_LAG, "event_date+7"
        inter1 = (r.get("inter1") or "").strip()
        gold = {
            "event_date": ev_date.isoformat() if ev_date else None,
            "time_precision": _int(r.get("time_precision")),
            "event_type": r.get("event_type") or None,
            "sub_event_type": r.get("sub_event_type") or None,
            "actor1": r.get("actor1") or None,
            "actor2": r.get("actor2") or None,
            # Numeric codes in ACLED's CSV; newer exports already use the text.
            "inter1": ACLED_INTER_CODES.get(inter1, inter1 or None),
            "country": r.get("country") or None,
            "admin1": r.get("admin1") or None,
            "admin2": r.get("admin2") or None,
            "location": r.get("location") or None,
            "latitude": _float(r.get("latitude")),
            "longitude": _float(r.get("longitude")),
            "geo_precision": _int(r.get("geo_precision")),
            "fatalities": _int(r.get("fatalities")),
        }
        rid = r.get("event_id_cnty") or r.get("data_id") or str(i)
        out.append(GoldRow(rid, r.get("notes") or "", published, gold, {"published_from": source}))
    return out


# ---------------------------------------------------------------- CASE 2021


def load_case(path: Path, limit: int | None = None) -> list[GoldRow]:
    out = []
    for i, r in enumerate(_csv_rows(path, limit)):
        label = (r.get("SubType") or "").strip()
        gold = {"label": label, "sub_event_type": CASE_LABELS.get(label)}
        out.append(GoldRow(r.get("id") or str(i), r.get("EventSnippet") or "", None, gold))
    return out


# ---------------------------------------------------------------- ISAF press releases

_MONTHS = {m: i for i, m in enumerate(("jan feb mar apr may jun jul aug sep oct nov dec").split(), start=1)}
# "KABUL, Afghanistan (Nov. 20, 2011)"; the year is sometimes left out.
_DATELINE = re.compile(
    r"\b[A-Z][A-Za-z .'-]*,\s*Afghanistan\s*\(\s*([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:\s*,\s*(\d{4}))?\s*\)"
)
# Operational-update headlines: "May 11: Afghan-ISAF Forces ..." (the year from the release number).
_HEADLINE_DATE = re.compile(r"^(?:PRESS RELEASE TEXT:\s*)?([A-Za-z]{3,9})\.?\s+(\d{1,2}):", re.M)
_RELEASE_NO = re.compile(r"\b(20\d\d)-\d\d-[A-Z]{1,3}-\d+")
_ANY_YEAR = re.compile(r"\b(20\d\d)\b")


def parse_isaf_dateline(text: str) -> date | None:
    """The dateline's date; a missing year comes from the release number (2010-09-CA-005) or the header.

    A minimal parser for this format only; ingest may own a general dateline reader.
    """
    m = _DATELINE.search(text) or _HEADLINE_DATE.search(text[:300])
    if not m:
        return None
    month = _MONTHS.get(m.group(1)[:3].lower())
    if month is None:
        return None
    year_s = m.group(3) if m.re is _DATELINE else None
    if not year_s:
        y = _RELEASE_NO.search(text) or _ANY_YEAR.search(text[: m.start()])
        if not y:
            return None
        year_s = y.group(1)
    try:
        return date(int(year_s), month, int(m.group(2)))
    except ValueError:
        return None


def _dateline_reader() -> Callable[[str], date | None]:
    """The ingest package's dateline parser when it exists, else ours."""
    try:
        from frontlines.ingest import dateline  # type: ignore[attr-defined]
    except ImportError:
        return parse_isaf_dateline
    fn = getattr(dateline, "parse_dateline", None)
    if fn is None:
        return parse_isaf_dateline

    def read(text: str) -> date | None:
        got = fn(text)
        d = getattr(got, "date", got)  # a result object with .date, or a date
        return d if isinstance(d, date) else parse_isaf_dateline(text)

    return read


def load_isaf(path: Path, limit: int | None = None) -> list[GoldRow]:
    read_date = _dateline_reader()
    out = []
    with path.open(encoding="utf-8") as f:
        lines = (ln for ln in f if ln.strip())
        for i, line in enumerate(islice(lines, limit)):
            obj = json.loads(line)
            g = obj.get("gold") or {}
            provinces = [p for p in g.get("province") or [] if p]
            types = [t for t in (g.get("event_type") or []) if t]
            first_type = types[0].split(";")[0] if types else None
            gold = _known(
                {
                    "event_date": g.get("start_date") or None,
                    "admin1": provinces[0] if provinces else None,
                    "fatalities": _int(g.get("min_killed")),
                    "event_type": ISAF_EVENT_TYPES.get(first_type or ""),
                    "_translit": True,
                }
            )
            text = obj.get("text") or ""
            out.append(GoldRow(str(obj.get("id") or i), text, read_date(text), gold))
    return out


# ---------------------------------------------------------------- GTD

# Citation lines end "..., Source Name, January 14, 2021."
_CITE_DATE = re.compile(r"([A-Z][a-z]+ \d{1,2}, \d{4})\.?\s*$")


def _citation_date(r: dict[str, str]) -> date | None:
    """The latest source date, as the publication date. Not the earliest: some rows cite a background
    article from before the event, which would put the event in the future of its own report."""
    dates = []
    for k in ("scite1", "scite2", "scite3"):
        m = _CITE_DATE.search((r.get(k) or "").strip())
        if m:
            try:
                dates.append(datetime.strptime(m.group(1), "%B %d, %Y").date())
            except ValueError:
                pass
    return max(dates) if dates else None


_GTD_LEAD_DATE = re.compile(r"^\s*(\d{2})/(\d{2})/(\d{4}):")


def _gtd_published(summary: str, cited: date | None) -> date | None:
    """A summary's report date: its latest citation, but never before the date the summary opens with
    ("01/11/2021: ..."). Some rows cite only background articles from before the event, which would put the
    event in the future of its own report; a report cannot predate what it describes."""
    m = _GTD_LEAD_DATE.match(summary)
    lead = None
    if m:
        try:
            lead = date(int(m.group(3)), int(m.group(1)), int(m.group(2)))
        except ValueError:
            lead = None
    if cited is None or lead is None:
        return cited or lead
    return max(cited, lead)


def gtd_event_type(attack_type: str, target_type: str) -> str | None:
    """GTD attack type -> ACLED event type (mappings.GTD_ATTACK_TYPES); None when unmapped."""
    armed, unarmed = GTD_ATTACK_TYPES.get(attack_type, (None, None))
    return armed if target_type in GTD_ARMED_TARGETS else unarmed


def load_gtd(path: Path, limit: int | None = None) -> list[GoldRow]:
    out = []
    for i, r in enumerate(_csv_rows(path, limit)):
        y, m, d = _int(r.get("iyear")), _int(r.get("imonth")), _int(r.get("iday"))
        ev_date = None
        if y and m and d:  # GTD codes an unknown day or month as 0
            try:
                ev_date = date(y, m, d).isoformat()
            except ValueError:
                ev_date = None
        gold = _known(
            {
                "event_date": ev_date,
                "admin1": r.get("provstate") or None,
                "fatalities": _int(r.get("nkill")),
                "event_type": gtd_event_type(r.get("attacktype1_txt") or "", r.get("targtype1_txt") or ""),
                "_translit": True,
            }
        )
        rid = r.get("eventid") or str(i)
        summary = r.get("summary") or ""
        out.append(GoldRow(rid, summary, _gtd_published(summary, _citation_date(r)), gold))
    return out


# ---------------------------------------------------------------- event-location (Halterman 2019)


def _location_examples(path: Path) -> Iterator[dict[str, Any]]:
    if path.suffix == ".zip":
        with zipfile.ZipFile(path) as z:
            name = next(
                n for n in z.namelist() if n.endswith((".jsonl", ".json")) and not n.startswith("__MACOSX")
            )
            raw = z.read(name).decode("utf-8")
    else:
        raw = path.read_text(encoding="utf-8")
    stripped = raw.lstrip()
    if stripped.startswith("["):  # the published file is one JSON list despite its name
        yield from json.loads(stripped)
    else:
        for line in io.StringIO(raw):
            if line.strip():
                yield json.loads(line)


def load_location(path: Path, limit: int | None = None) -> list[GoldRow]:
    """Examples not rejected by the annotator (answer "accept", or no review verdict), with one verb."""
    out = []
    for i, ex in enumerate(_location_examples(path)):
        if ex.get("answer", "accept") != "accept":
            continue
        spans = ex.get("spans") or []
        verbs = [(s["start"], s["end"]) for s in spans if s.get("label") == "VERB"]
        if len(verbs) != 1:
            continue
        locs = [(s["start"], s["end"]) for s in spans if s.get("label") == "LOCATION"]
        out.append(GoldRow(str(i), ex.get("text") or "", None, {"verb": verbs[0], "locations": locs}))
        if limit is not None and len(out) >= limit:
            break
    return out


def count_location_examples(path: Path) -> int:
    """All examples in the file, before filtering (the README's row count)."""
    return sum(1 for _ in _location_examples(path))


DATASETS: dict[str, DatasetSpec] = {
    "acled": DatasetSpec("acled", "acled-2020/acled_2020_not_afghanistan.csv", load_acled, 4895),
    "case": DatasetSpec("case", "case2021-task2/dev.csv", load_case, 496),
    "isaf": DatasetSpec("isaf", "isaf-press-releases/dev.jsonl", load_isaf, 364),
    "gtd": DatasetSpec("gtd", "gtd-2021/afghanistan_2021_jan_mar.csv", load_gtd, 603),
    "location": DatasetSpec("location", "event-location/labeled_text.jsonl.zip", load_location, 10182),
}


def sniff_kind(path: Path) -> str | None:
    """Which loader reads a gold file, from its header or first record."""
    name = path.name.lower()
    if name.endswith(".zip"):
        return "location"
    if name.endswith((".jsonl", ".json")):
        with path.open(encoding="utf-8") as f:
            head = f.read(1).strip()
            if head == "[":
                return "location"
            f.seek(0)
            first = next((ln for ln in f if ln.strip()), "")
        try:
            obj = json.loads(first)
        except json.JSONDecodeError:
            return None
        if isinstance(obj, dict) and "gold" in obj:
            return "isaf"
        if isinstance(obj, dict) and "spans" in obj:
            return "location"
        return None
    with path.open(newline="", encoding="utf-8-sig") as f:
        header = set(next(csv.reader(f), []))
    if {"EventSnippet", "SubType"} <= header:
        return "case"
    if {"summary", "provstate"} <= header:
        return "gtd"
    if {"event_date", "event_type", "sub_event_type"} <= header:
        return "acled"
    return None
