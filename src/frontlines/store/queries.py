"""The API's read queries over the store, shaped for large stores (see migration 0004 for the indexes).

- `event_where` / `event_page`: the event listing. Filters become SQL conditions the 0004 indexes serve; a page
  is ordered by event_date (undated last), then row id, written per backend so an index walk yields it (PostgreSQL
  sorts NULLs last by itself; SQLite's order index leads with ``(event_date IS NULL)``), and fetched as a
  "deferred join" (the ids of the page from the index alone, then those rows), so a deep offset skips index
  entries rather than whole rows.
- The page's `total` is exact up to `COUNT_CAP` matching events; when more match it is `COUNT_CAP`, a lower
  bound. An exact count of a broad filter reads every matching index entry (hundreds of ms on a million rows),
  which no page needs: a client that pages on until `total` stops at the cap, or on an empty page.
- `fingerprint_parts`: the store's version for the API's caches and ETags from index look-ups only (max ids,
  the newest extraction time, the newest review), where row counts scan whole tables.
- `territory_events` / `evidence_loader`: the control view's input without its evidence (the largest part),
  which is loaded later only for the events behind the states a response shows.
"""

from __future__ import annotations

import gc
import json
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, Text, and_, cast, func, literal_column, or_, select, text
from sqlalchemy.engine import RowMapping

from frontlines.records import Event, Evidence
from frontlines.store import review
from frontlines.store.models import AuditRow, ClaimRow, DocumentRow, EventRow, EvidenceRow, ReviewRow

COUNT_CAP = 20_000
FTS_TABLE = "events_notes_fts"  # SQLite's trigram index over events.notes (migration 0004)
_ACTOR_COLS = ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")
# What the control state machine and its district mapping read of an event (views/control.py).
CONTROL_COLS = (
    "event_id",
    "doc_id",
    "event_date",
    "date_earliest",
    "date_latest",
    "sub_event_type",
    "certainty",
    "actor1",
    "inter1",
    "actor2",
    "inter2",
    "assoc_actor_1",
    "assoc_actor_2",
    "iso3",
    "admin1",
    "admin2",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
)
_DATES = ("event_date", "date_earliest", "date_latest")

_fts_known: dict[str, bool] = {}


def has_notes_fts(engine: Engine) -> bool:
    """Whether this SQLite store has the notes trigram table (looked up once per database)."""
    if engine.dialect.name != "sqlite":
        return False
    key = str(engine.url)
    if key not in _fts_known:
        with engine.connect() as conn:
            row = conn.execute(
                text("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"), {"n": FTS_TABLE}
            ).first()
        _fts_known[key] = row is not None
    return _fts_known[key]


def _fts_phrase(needle: str) -> str:
    return '"' + needle.replace('"', '""') + '"'


def event_where(f: Mapping[str, Any], engine: Engine, *, box_index: bool = True) -> Any:
    """The SQL condition of the listing's filters `f` (None: no filter). Keys: date_from, date_to, event_type,
    sub_event_type, certainty, admin1, admin2 (case-insensitive), actor (substring of any actor field), q
    (case-insensitive substring of notes), bbox (minlon, minlat, maxlon, maxlat). `box_index=False`: SQLite
    may not use the lon/lat index for the box (a unary + on the columns), so it walks another order."""
    t = EventRow.__table__.c
    conds: list[Any] = []
    if f.get("date_from"):
        conds.append(t.event_date >= f["date_from"])
    if f.get("date_to"):
        conds.append(t.event_date <= f["date_to"])
    for col in ("event_type", "sub_event_type", "certainty"):
        if f.get(col):
            conds.append(t[col] == f[col])
    for col in ("admin1", "admin2"):
        if f.get(col):
            conds.append(func.lower(t[col]) == f[col].lower())
    if f.get("actor"):
        needle = f["actor"].lower()
        conds.append(or_(*(func.lower(t[c]).contains(needle, autoescape=True) for c in _ACTOR_COLS)))
    if f.get("q"):
        needle = f["q"].lower()
        # PostgreSQL: pg_trgm's GIN index on lower(notes) serves this LIKE as written.
        conds.append(func.lower(t.notes).contains(needle, autoescape=True))
        if len(needle) >= 3 and has_notes_fts(engine):
            # SQLite: the trigram table narrows to rows holding the needle (case-folded, so a superset of the
            # LIKE's matches); the LIKE above keeps the exact semantics.
            fts = select(literal_column("rowid")).select_from(text(FTS_TABLE))
            fts = fts.where(text(f"{FTS_TABLE} MATCH :fts_q").bindparams(fts_q=_fts_phrase(needle)))
            conds.append(t.id.in_(fts.scalar_subquery()))
    if f.get("bbox"):
        minlon, minlat, maxlon, maxlat = f["bbox"]
        lon, lat = t.longitude, t.latitude
        if not box_index and engine.dialect.name == "sqlite":
            lon, lat = literal_column("+events.longitude"), literal_column("+events.latitude")
        conds.append(and_(lon.between(minlon, maxlon), lat.between(minlat, maxlat)))
    return and_(*conds) if conds else None


def _order(engine: Engine) -> list[Any]:
    t = EventRow.__table__.c
    if engine.dialect.name == "postgresql":
        return [t.event_date, t.id]  # ascending sorts NULLs last here: index ix_events_listing as is
    return [t.event_date.is_(None), t.event_date, t.id]


def event_page(
    engine: Engine,
    where: Any,
    limit: int,
    offset: int,
    columns: Sequence[str],
    *,
    count_cap: int = COUNT_CAP,
    sparse_text: bool = False,
    date_walk: Any = None,
) -> tuple[int, list[RowMapping]]:
    """(total, rows) of one page of events matching `where`: rows carry `id` and `columns`, ordered by
    event_date (undated last), then id; total is exact up to `count_cap`, else `count_cap`. `sparse_text`: the
    filter holds a notes search (`q`), whose plan then follows the number of matches. `date_walk`: the same
    condition with its bbox kept off the lon/lat index (`event_where(..., box_index=False)`), for SQLite to
    read the page in date order when the box holds many of the events."""
    ev = EventRow.__table__
    t = ev.c
    order = _order(engine)
    cols = select(t.id, *(t[c] for c in columns))
    with engine.connect() as conn:
        total: int | None = None
        if sparse_text and where is not None and engine.dialect.name == "postgresql":
            # A notes search: PostgreSQL misjudges a substring's rarity and walks the date order index row by
            # row. Ask the trigram index for the matches in order instead (`coalesce` keeps the order and hides
            # the order index): one scan gives the count and the page, unless the page lies past the cap.
            in_order = [func.coalesce(t.event_date, t.event_date), t.id]
            found = conn.execute(select(t.id).where(where).order_by(*in_order).limit(count_cap + 1)).all()
            if len(found) <= count_cap or offset + limit <= count_cap:
                page_ids = [i for (i,) in found[offset : offset + limit]]
                rows = conn.execute(cols.where(t.id.in_(page_ids)).order_by(*order)).mappings().all()
                return min(len(found), count_cap), list(rows)
        elif sparse_text and where is not None:
            # SQLite: the matches and their dates, unordered, so the trigram table is read once and no further
            # than the cap; when they are no more than the cap they give the count and, sorted here, the page
            # (the count and the page each searched it before). More: the count is the cap, as below.
            got = conn.execute(select(t.id, t.event_date).where(where).limit(count_cap + 1)).all()
            if len(got) <= count_cap:
                got.sort(key=lambda r: (r[1] is None, r[1] or date.min, r[0]))
                page_ids = [r[0] for r in got[offset : offset + limit]]
                rows = conn.execute(cols.where(t.id.in_(page_ids)).order_by(*order)).mappings().all()
                return len(got), list(rows)
            total = count_cap
        hits = select(literal_column("1")).select_from(ev).limit(count_cap + 1)
        ids = select(t.id).order_by(*order).limit(limit).offset(offset)
        if where is not None:
            hits, ids = hits.where(where), ids.where(where)
        if total is None:
            total = conn.execute(select(func.count()).select_from(hits.subquery())).scalar_one()
        if date_walk is not None and total and engine.dialect.name == "sqlite":
            # SQLite reads a box from its lon/lat index and sorts every event in it by date. When the box holds
            # many events, walking the date order until the page is full reads fewer rows: about
            # (offset + limit) * all events / those in the box.
            n_rows = conn.execute(select(func.max(t.id))).scalar() or 0
            if (offset + limit) * n_rows <= total * total:
                ids = select(t.id).where(date_walk).order_by(*order).limit(limit).offset(offset)
        rows = conn.execute(cols.where(t.id.in_(ids.scalar_subquery())).order_by(*order)).mappings().all()
    return min(total, count_cap), list(rows)


def fingerprint_parts(engine: Engine) -> list[tuple[str, Any]]:
    """The store's version from index look-ups: the highest row id of each table the API reads (inserts), the
    newest extraction (a re-extraction deletes and re-inserts a document's records, and may reuse SQLite row
    ids), and the newest review action. Writers commit in id order on SQLite; on PostgreSQL two concurrent
    writers can commit out of id order, which the inserted/deleted-row statistics (updated at commit) catch."""
    parts: list[tuple[str, Any]] = []
    with engine.connect() as conn:
        for name, model in (
            ("documents", DocumentRow),
            ("events", EventRow),
            ("claims", ClaimRow),
            ("evidence", EvidenceRow),
        ):
            parts.append((name, conn.execute(select(func.max(model.id))).scalar_one()))
        newest = conn.execute(select(func.max(DocumentRow.extracted_at))).scalar_one()
        parts.append(("extracted", str(newest)))
        parts.append(("reviews", review.review_version(conn)))
        if engine.dialect.name == "postgresql":
            stats = conn.execute(
                text(
                    "SELECT relname, n_tup_ins, n_tup_del FROM pg_stat_user_tables "
                    "WHERE relid IN ('documents'::regclass, 'events'::regclass, 'claims'::regclass) "
                    "ORDER BY relname"
                )
            ).all()
            parts.append(("stats", [tuple(r) for r in stats]))
    return parts


def territory_events(
    engine: Engine, sub_event_types: frozenset[str], *, only: Any = None
) -> tuple[list[Event], dict[int, tuple[int, int]]]:
    """Events of `sub_event_types` with analyst reviews applied (rejected ones left out), in row order, without
    their evidence (see `evidence_loader`); and id(event) -> (row id, document row id). Same events as
    `[e for e in store.iter_events() if e.sub_event_type in sub_event_types]`, less the fields the control view
    does not read. `only`: an extra SQL condition on the events table (an incremental update's rows)."""
    t = EventRow.__table__.c
    with engine.connect() as conn:
        reviewed = review.has_reviews(conn)
    cond = t.sub_event_type.in_(sorted(sub_event_types))
    if reviewed:  # an analyst may have moved an event into the territory types
        cond = or_(cond, t.event_id.in_(select(ReviewRow.event_id)))
    if only is not None:
        cond = and_(cond, only)
    q = select(t.id, t.document_id, *(t[c] for c in CONTROL_COLS)).where(cond).order_by(t.id)
    events: list[Event] = []
    meta: dict[int, tuple[int, int]] = {}
    with engine.connect() as conn:
        overlays = {}
        if reviewed:
            ids = conn.execute(select(ReviewRow.event_id)).scalars().all()
            overlays = review.load_overlays(conn, ids)
        keys = ("id", "document_id", *CONTROL_COLS)
        for row in conn.execute(q):  # plain rows: a mapping per row cost more than the rest of the loading
            vals = dict(zip(keys, row, strict=True))
            ov = overlays.get(vals["event_id"])
            if ov is not None:
                if ov.status == "rejected":
                    continue
                vals = review.apply_overlay(vals, ov, iso_dates=False)
            if vals["sub_event_type"] not in sub_event_types:
                continue
            rid, doc = vals.pop("id"), vals.pop("document_id")
            for c in _DATES:
                v = vals[c]
                vals[c] = v.isoformat() if isinstance(v, date) else v
            e = Event(**vals)
            events.append(e)
            meta[id(e)] = (rid, doc)
    return events, meta


class TerritoryControl:
    """The control timeline of a store, kept current across writes without reloading every territory event.

    `refresh()` reads what changed since the last look: documents extracted since then (an extraction replaces
    all of a document's records) and events reviewed since then (the audit log), and re-runs only the
    districts their old and new events touch. Extraction times come from writers' clocks and PostgreSQL writers
    may commit out of order, so documents extracted up to `LOOKBACK` before the newest one seen are taken again
    (replacing is idempotent). Past `FULL_RELOAD_SHARE` of the events changed, a full load is cheaper.
    """

    LOOKBACK = timedelta(minutes=5)
    FULL_RELOAD_SHARE = 0.2

    def __init__(self, engine: Engine, layer: Any, sub_event_types: frozenset[str]) -> None:
        self.engine, self.layer, self.types = engine, layer, sub_event_types
        self._load()

    def _marks(self) -> tuple[Any, int]:
        with self.engine.connect() as conn:
            newest = conn.execute(select(func.max(DocumentRow.extracted_at))).scalar_one()
            return newest, review.review_version(conn)

    def _load(self) -> None:
        from frontlines.views.control import ControlTimeline

        self.extracted, self.audit = self._marks()
        events, self.meta = territory_events(self.engine, self.types)
        self.timeline = ControlTimeline(
            events, layer=self.layer, fill_evidence=evidence_loader(self.engine, self.meta)
        )
        # Millions of long-lived objects: a full collection of them took seconds (request outliers of 5-28 s
        # at 1M events). Frozen objects are skipped by the collector; they hold no cycles (the support
        # chains point backwards only), so refcounting still frees a replaced timeline.
        gc.freeze()
        self.refreshes = 0

    def refresh(self) -> None:
        """Bring the timeline up to the store's current contents (a new `timeline` object when anything changed)."""
        extracted, audit = self._marks()
        if (extracted, audit) == (self.extracted, self.audit):
            return
        t, d = EventRow.__table__.c, DocumentRow.__table__.c
        with self.engine.connect() as conn:
            doc_q = select(d.id)
            if self.extracted is not None:
                doc_q = doc_q.where(d.extracted_at >= self.extracted - self.LOOKBACK)
            docs = set(conn.execute(doc_q).scalars())
            reviewed = set(conn.execute(select(AuditRow.event_id).where(AuditRow.id > self.audit)).scalars())
        if len(docs) * 5 > self.FULL_RELOAD_SHARE * len(self.meta):  # (a document holds a few events)
            self._load()
            return
        removed = {k for k, (_, doc) in self.meta.items() if doc in docs}
        if reviewed:
            for evs in self.timeline.events.values():
                removed.update(id(e) for e in evs if e.event_id in reviewed)
        cond = []
        if docs:
            cond.append(t.document_id.in_(sorted(docs)))
        if reviewed:
            cond.append(t.event_id.in_(sorted(reviewed)))
        added, meta = territory_events(self.engine, self.types, only=or_(*cond)) if cond else ([], {})
        for k in removed:
            self.meta.pop(k, None)
        self.meta.update(meta)  # the evidence loader reads this dict
        self.timeline = self.timeline.updated(removed, added, lambda e: self.meta[id(e)][0])
        self.extracted, self.audit = extracted, audit
        self.refreshes += 1


def evidence_loader(engine: Engine, meta: Mapping[int, tuple[int, int]]) -> Any:
    """A `ControlTimeline.fill_evidence` callback: sets each given event's evidence from the store (the spans
    `Store.iter_events` would have given it, in the same order), a bounded IN query per 900 events."""

    # `fields` is read as its JSON text and decoded once per distinct text: a store holds a few dozen
    # distinct field lists, and decoding each row's copy was most of a control request on a large store.
    decoded: dict[str | None, tuple[str, ...]] = {}

    def fields_of(raw: str | None) -> list[str]:
        got = decoded.get(raw)
        if got is None:
            got = decoded[raw] = tuple(json.loads(raw) or ()) if raw else ()
        return list(got)

    def fill(events: Sequence[Event]) -> None:
        ev = EvidenceRow.__table__.c
        by_row = {meta[id(e)][0]: e for e in events}
        spans: dict[int, list[Evidence]] = {r: [] for r in by_row}
        rows = list(by_row)
        raw_fields = cast(ev.fields, Text)
        with engine.connect() as conn:
            for i in range(0, len(rows), 900):
                q = (
                    select(ev.event_id, ev.doc_id, ev.start, ev.end, ev.text, raw_fields)
                    .where(ev.event_id.in_(rows[i : i + 900]))
                    .order_by(ev.id)
                )
                for o, d, a, b, txt, fl in conn.execute(q):
                    spans[o].append(Evidence(d, a, b, txt, fields_of(fl)))
        for r, e in by_row.items():
            e.evidence = spans[r]

    return fill
