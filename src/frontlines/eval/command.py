"""`frontlines eval GOLD (--db URL | --extract)`: score extraction against human-coded gold.

GOLD is an ACLED-format CSV, a dev-set file, or a dev-set name (acled, case, isaf, gtd, location, dev = all
present). With --extract each gold row's text is extracted now; with --db the gold is scored against the
events already in the store (matched by document id, else for ACLED-format gold by date and place).
Scores are information: the exit status is 0 whatever they are, 2 when a named gold file is missing
(1 when --extract cannot load the extractor).

Choices, per set (each printed as a note under its table):
  acled     a Document per row from `notes`, published = the row's upload `timestamp` (2-14 days after
            the event in the dev export; event_date + 7 days when absent). Of a row's predicted events
            the best-matching one is scored; a row with none is wrong on every field.
            actor1_or_2: the gold actor1 is the predicted actor1 or actor2.
  case      the top event's sub-event type (by confidence), and separately
            extract.triggers.classify_text; no event = "no ACLED event", right for the 5 non-ACLED classes.
  isaf      published = the dateline's date (ingest.dateline, else a parser for this format); the top
            event against start_date, province (transliteration-tolerant) and min_killed.
  gtd       published = the latest source-citation date, never before the summary's own leading date; the
            top event against the GTD date, provstate, nkill and the attack type mapped to an ACLED event
            type (eval/mappings.py).
  location  the place extract.places.choose_event_place attaches to the gold verb, from the sentence's
            place mentions below country level (as the assembler does), must overlap a gold LOCATION.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from frontlines.eval import scoring
from frontlines.eval.datasets import DATASETS, GoldRow, eval_data_root, sniff_kind
from frontlines.records import Document, Event

DEV_ORDER = ["acled", "case", "isaf", "gtd", "location"]
# --db matching for ACLED-format gold without shared document ids: a stored event may stand for a gold
# row when its date is this close and its place agrees (same admin1/location name or within 25 km).
DB_DATE_SLACK = timedelta(days=3)


class EvalError(Exception):
    """A usage problem (missing gold, unusable arguments): exit status 2."""


# ---------------------------------------------------------------- resolving GOLD


def resolve_gold(args: Sequence[str], err: Console) -> list[tuple[str, Path]]:
    """(kind, path) per gold argument; `dev` expands to the dev sets that are present."""
    root = eval_data_root()
    out: list[tuple[str, Path]] = []
    for arg in args:
        if arg == "dev":
            present = [(k, root / DATASETS[k].rel_path) for k in DEV_ORDER]
            for k, p in present:
                if p.is_file():
                    out.append((k, p))
                else:
                    err.print(f"[yellow]skipping {k}: {p} not found[/yellow]")
            if not any(p.is_file() for _, p in present):
                raise EvalError(f"no dev sets found under {root} (set FRONTLINES_EVAL_DATA)")
            continue
        if arg in DATASETS:
            p = root / DATASETS[arg].rel_path
            if not p.is_file():
                raise EvalError(f"gold set {arg!r} not found at {p} (set FRONTLINES_EVAL_DATA)")
            out.append((arg, p))
            continue
        p = Path(arg)
        if not p.is_file():
            raise EvalError(f"gold file not found: {arg}")
        kind = sniff_kind(p)
        if kind is None:
            raise EvalError(f"cannot tell which gold format {arg} is (expected ACLED CSV or a dev-set file)")
        out.append((kind, p))
    return out


# ---------------------------------------------------------------- predictions


@contextmanager
def _progress(err: Console, enabled: bool) -> Iterator[Progress | None]:
    if not enabled:
        yield None
        return
    prog = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
    )
    with prog:
        yield prog


def _tracked(items: Iterable[Any], prog: Progress | None, label: str, total: int) -> Iterator[Any]:
    if prog is None:
        yield from items
        return
    task = prog.add_task(label, total=total)
    for x in items:
        yield x
        prog.advance(task)
    prog.remove_task(task)


def extract_rows(
    rows: Sequence[GoldRow], extractor: Any, prog: Progress | None, label: str
) -> dict[str, list[Any]]:
    """Run the extractor over each row's text; records per row id."""
    docs = (Document(id=r.id, text=r.text, published=r.published, origin=label) for r in rows)
    out: dict[str, list[Any]] = {}
    for doc, records in _tracked(extractor.pipe(docs, batch_size=32), prog, f"extracting {label}", len(rows)):
        out[doc.id] = list(records)
    return out


def _classifier(extractor: Any) -> Callable[[str], str | None] | None:
    """frontlines.extract.triggers.classify_text bound to the extractor's pipeline, when it exists."""
    try:
        from frontlines.extract import triggers
    except ImportError:
        return None
    fn = getattr(triggers, "classify_text", None)
    nlp = getattr(extractor, "nlp", None)
    if fn is None or nlp is None:
        return None
    return lambda text: fn(text, nlp)


def locate_rows(
    rows: Sequence[GoldRow], nlp: Any, prog: Progress | None
) -> dict[str, tuple[int, int] | None]:
    """For each event-location example, the place span the extractor would attach to the gold verb.

    Mirrors the assembler: candidates are the sentence's place mentions below country level, and
    `places.choose_event_place(candidates, trigger_start, trigger_end, doc)` picks one.
    """
    from frontlines.extract import places
    from frontlines.extract.mentions import SentenceContext

    out: dict[str, tuple[int, int] | None] = {}
    pairs = ((r.text, r) for r in rows)
    for parsed, row in _tracked(nlp.pipe(pairs, as_tuples=True, batch_size=64), prog, "locating", len(rows)):
        vs, ve = row.gold["verb"]
        country, iso3, admin1 = places.article_place_context(parsed)
        ctx = SentenceContext(published=None, country=country, iso3=iso3, admin1=admin1)
        span = parsed.char_span(vs, ve, alignment_mode="expand")
        sent = span.sent if span is not None else parsed[:]
        cands = [
            p
            for p in places.find_places(sent, ctx)
            if not (p.place is not None and p.place.kind == "country")
        ]
        chosen = places.choose_event_place(cands, vs, ve, parsed) if cands else None
        out[row.id] = (chosen.start, chosen.end) if chosen is not None else None
    return out


def _locator_available() -> str | None:
    """Why the location set cannot be scored, or None when it can."""
    try:
        from frontlines.extract import places
    except ImportError as e:
        return f"frontlines.extract.places is missing ({e})"
    missing = [
        n for n in ("choose_event_place", "find_places", "article_place_context") if not hasattr(places, n)
    ]
    return f"frontlines.extract.places lacks {', '.join(missing)}" if missing else None


# ---------------------------------------------------------------- the store (--db)

_EVENT_FIELDS = set(Event.__dataclass_fields__) - {"evidence", "kind"}


def load_store_events(db_url: str | None) -> list[Event]:
    """Every event in the store, read by reflecting its `events` table (no ORM dependency)."""
    from sqlalchemy import MetaData, create_engine, inspect, select

    from frontlines.config import resolve_db_url

    url = resolve_db_url(db_url)
    try:  # the store's own spelling rules for URLs (postgres:// -> psycopg)
        from frontlines.store.db import normalise_url

        url = normalise_url(url)
    except ImportError:
        pass
    engine = create_engine(url)
    try:
        names = inspect(engine).get_table_names()
        table_name = next((n for n in ("events", "event") if n in names), None)
        if table_name is None:
            raise EvalError(
                f"the store at {engine.url.render_as_string(hide_password=True)} has no events table"
            )
        md = MetaData()
        md.reflect(engine, only=[table_name])
        table = md.tables[table_name]
        cols = [c for c in table.columns if c.name in _EVENT_FIELDS]
        out = []
        with engine.connect() as conn:
            for row in conn.execute(select(*cols)):
                vals = {k: v for k, v in row._mapping.items() if v is not None or k != "fatalities"}
                for k in ("event_date", "date_earliest", "date_latest"):
                    if isinstance(vals.get(k), date):
                        vals[k] = vals[k].isoformat()
                out.append(Event(**vals))
        return out
    finally:
        engine.dispose()


def match_store_events(
    kind: str, rows: Sequence[GoldRow], events: Sequence[Event]
) -> tuple[dict[str, list[Event]], list[str]]:
    """Stored events per gold row: by document id first; for ACLED-format gold, by date and place,
    one stored event to at most one gold row (best field agreement first)."""
    by_doc: dict[str, list[Event]] = defaultdict(list)
    for ev in events:
        by_doc[ev.doc_id].append(ev)
    out: dict[str, list[Event]] = {}
    for r in rows:
        if r.id in by_doc:
            out[r.id] = by_doc[r.id]
    notes = [f"{len(out)} of {len(rows)} gold rows matched stored documents by id"]
    if kind != "acled":
        return out, notes

    by_date: dict[str, list[int]] = defaultdict(list)
    for i, ev in enumerate(events):
        if ev.event_date:
            by_date[ev.event_date].append(i)
    scored: list[tuple[int, str, int]] = []
    for r in rows:
        if r.id in out or not r.gold.get("event_date"):
            continue
        d0 = date.fromisoformat(r.gold["event_date"])
        for k in range(-DB_DATE_SLACK.days, DB_DATE_SLACK.days + 1):
            for i in by_date.get((d0 + timedelta(days=k)).isoformat(), ()):
                ev = events[i]
                if not (
                    scoring.compare_field("coords_25km", r.gold, ev)
                    or (r.gold.get("location") and scoring.compare_field("location", r.gold, ev))
                    or (r.gold.get("admin2") and scoring.compare_field("admin2", r.gold, ev))
                ):
                    continue
                s = sum(scoring.compare_field(f, r.gold, ev) is True for f in scoring.ACLED_FIELDS)
                scored.append((s, r.id, i))
    used: set[int] = set()
    for _, rid, i in sorted(scored, key=lambda t: -t[0]):
        if rid in out or i in used:
            continue
        out[rid] = [events[i]]
        used.add(i)
    notes.append(f"{len(used)} more matched stored events by date (±{DB_DATE_SLACK.days} days) and place")
    if rows:
        dates = [r.gold["event_date"] for r in rows if r.gold.get("event_date")]
        if dates:
            lo, hi = min(dates), max(dates)
            in_range = [ev for ev in events if ev.event_date and lo <= ev.event_date <= hi]
            notes.append(f"{len(in_range)} stored events fall in the gold's dates ({lo}..{hi})")
    return out, notes


# ---------------------------------------------------------------- scoring one set


def score_dataset(
    kind: str,
    path: Path,
    *,
    extractor: Any | None,
    store_events: Sequence[Event] | None,
    limit: int | None,
    prog: Progress | None,
    err: Console,
) -> scoring.DatasetResult | None:
    spec = DATASETS[kind]
    rows = spec.loader(path, limit)
    label = kind if path.name in spec.rel_path else f"{kind}:{path.name}"
    notes: list[str] = []
    if kind == "location":
        if extractor is None:
            err.print(
                "[yellow]skipping location: it scores the place chooser, which needs --extract[/yellow]"
            )
            return None
        why = _locator_available()
        if why:
            err.print(f"[yellow]skipping location: {why}[/yellow]")
            return None
        return scoring.score_location(
            rows, locate_rows(rows, extractor.nlp, prog), name=label, path=str(path)
        )

    if extractor is not None:
        preds: dict[str, list[Any]] = extract_rows(rows, extractor, prog, label)
    else:
        preds_db, notes = match_store_events(kind, rows, store_events or [])
        preds = dict(preds_db)

    if kind == "acled":
        res = scoring.score_acled(rows, preds, name=label, path=str(path))
        sources = sorted({r.extra.get("published_from", "none") for r in rows})
        res.notes.append(
            f"published date from: {', '.join(sources)} (ACLED upload timestamp; else event_date+7)"
        )
    elif kind == "case":
        classified = None
        classify = _classifier(extractor) if extractor is not None else None
        if classify is not None:
            classified = {r.id: classify(r.text) for r in _tracked(rows, prog, "classify_text", len(rows))}
        res = scoring.score_case(rows, preds, classified, name=label, path=str(path))
        if extractor is not None and classify is None:
            res.notes.append("frontlines.extract.triggers.classify_text not available: record path only")
    elif kind == "isaf":
        res = scoring.score_isaf(rows, preds, name=label, path=str(path))
        missing = sum(r.published is None for r in rows)
        res.notes.append(f"published = dateline date; {missing} of {len(rows)} releases had none readable")
    else:
        res = scoring.score_gtd(rows, preds, name=label, path=str(path))
        res.notes.append(
            "published = latest source-citation date, never before the summary's leading date (which it keeps)"
        )
    res.notes.extend(notes)
    return res


# ---------------------------------------------------------------- output


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}%"


def render(results: Sequence[scoring.DatasetResult], out: Console) -> None:
    for res in results:
        t = Table(title=escape(f"{res.name}  (n={res.n})"), title_justify="left")
        t.add_column("field")
        t.add_column("n", justify="right")
        t.add_column("correct", justify="right")
        t.add_column("accuracy", justify="right")
        t.add_column("weighted F1", justify="right")
        for f, tally in res.fields.items():
            f1 = res.f1.get(f)
            t.add_row(
                escape(f),
                str(tally.n),
                str(tally.correct),
                _pct(tally.accuracy),
                "" if f1 is None else f"{f1:.3f}",
            )
        for f, f1 in res.f1.items():
            if f not in res.fields:
                t.add_row(escape(f), "", "", "", f"{f1:.3f}")
        out.print(t)
        keys = [k for k in res.confusions if k.startswith("sub_event_type")] or list(res.confusions)
        for f in keys:
            if res.confusions[f]:
                shown = "; ".join(f"{g} -> {p} ({n})" for g, p, n in res.confusions[f])
                out.print(escape(f"  top confusions ({f}): {shown}"))
        for note in res.notes:
            out.print(f"  [dim]{escape(note)}[/dim]")
        out.print()


def load_extractor() -> Any:
    """The process-wide extractor (tests replace this with a fake)."""
    from frontlines.extract.pipeline import get_extractor

    return get_extractor()


def eval_command(
    gold: list[str], *, db_url: str | None, use_extract: bool, limit: int | None, as_json: bool
) -> int:
    out = Console(file=sys.stdout, soft_wrap=True)
    err = Console(file=sys.stderr)
    try:
        if not gold:
            raise EvalError("give a gold file or a dev-set name (acled, case, isaf, gtd, location, dev)")
        if use_extract and db_url:
            raise EvalError("use either --extract or --db, not both")
        if limit is not None and limit < 1:
            raise EvalError("--limit must be at least 1")
        targets = resolve_gold(gold, err)
    except EvalError as e:
        err.print(f"[red]error:[/red] {e}")
        return 2

    extractor = None
    store_events: list[Event] | None = None
    if use_extract:
        try:
            extractor = load_extractor()
        except (ImportError, NotImplementedError) as e:
            err.print(f"[red]error:[/red] the extractor is not available: {e}")
            return 1
    else:
        try:
            store_events = load_store_events(db_url)
        except EvalError as e:
            err.print(f"[red]error:[/red] {e}")
            return 2

    results = []
    with _progress(err, enabled=True) as prog:
        for kind, path in targets:
            try:
                res = score_dataset(
                    kind,
                    path,
                    extractor=extractor,
                    store_events=store_events,
                    limit=limit,
                    prog=prog,
                    err=err,
                )
            except NotImplementedError as e:
                err.print(f"[red]error:[/red] the extractor is not available: {e}")
                return 1
            if res is not None:
                results.append(res)

    if as_json:
        mode = "extract" if use_extract else "db"
        sys.stdout.write(
            json.dumps({"mode": mode, "results": [r.to_dict() for r in results]}, indent=2) + "\n"
        )
    else:
        render(results, out)
    return 0
