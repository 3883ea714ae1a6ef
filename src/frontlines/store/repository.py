"""Reading and writing the store: documents, extracted records with their evidence, rejections.

Writes are idempotent: a document is identified by the hash of its normalised text, a document's extraction
is replaced as a whole in one transaction, and a rejection seen again updates its row. Inserts that race with
another writer (backfill workers) are settled by the database's ON CONFLICT, not by a read-then-write.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields as dc_fields
from datetime import UTC, date, datetime
from itertools import islice
from typing import Any

from sqlalchemy import Engine, Select, and_, delete, func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from frontlines.records import Claim, Document, Event, Evidence, Record
from frontlines.store import review
from frontlines.store.models import (
    ActorRow,
    ClaimRow,
    DocumentRow,
    EventRow,
    EvidenceRow,
    PlaceRow,
    RejectionRow,
)

_EVENT_DATES = ("event_date", "date_earliest", "date_latest")
_CLAIM_DATES = ("period_start", "period_end", "as_of")
_EVENT_COLS = [f.name for f in dc_fields(Event) if f.name not in ("evidence", "kind")]
_CLAIM_COLS = [f.name for f in dc_fields(Claim) if f.name not in ("evidence", "kind")]
PAGE = 1000


def _now() -> datetime:
    return datetime.now(UTC)


def _to_date(value: object, field: str, record_id: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"record {record_id}: {field} {value!r} is not YYYY-MM-DD") from None


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


class Store:
    """The repository over one database. Make it with `frontlines.store.db.open_store(url)`."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.Session = sessionmaker(engine, expire_on_commit=False)
        self._dialect = engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def session(self) -> Session:
        """A new ORM session (for views and other read paths)."""
        return self.Session()

    # ------------------------------------------------------------------------------------------ documents

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self._dialect == "postgresql" else sqlite.insert)(table)

    def add_document(self, doc: Document) -> tuple[int, bool]:
        """Store `doc` unless a document with the same content hash is stored: (row id, created?)."""
        return self.add_documents([doc])[0]

    def add_documents(self, docs: Sequence[Document]) -> list[tuple[int, bool]]:
        """`add_document` for a batch, in one transaction; results in input order.

        Looks up the batch's hashes, inserts the missing documents in one executemany (ON CONFLICT DO NOTHING
        settles a race with another writer), then reads the ids back: three statements per batch.
        """
        if not docs:
            return []
        table = DocumentRow.__table__
        hashes = [d.hash for d in docs]
        now = _now()
        with self.Session.begin() as s:
            known = self._ids_by_hash(s, hashes)
            new: dict[str, dict[str, Any]] = {}
            for doc, h in zip(docs, hashes, strict=True):
                if h not in known and h not in new:
                    new[h] = {
                        "doc_id": doc.id,
                        "content_hash": h,
                        "title": doc.title,
                        "published": doc.published,
                        "source": doc.source,
                        "url": doc.url,
                        "byline": doc.byline,
                        "origin": doc.origin,
                        "fmt": doc.fmt,
                        "text": doc.text,
                        "ingested_at": now,
                    }
            if new:
                s.execute(
                    self._insert(table).on_conflict_do_nothing(index_elements=["content_hash"]),
                    list(new.values()),
                )
                ids = self._ids_by_hash(s, list(new))
            else:
                ids = {}
        out: list[tuple[int, bool]] = []
        for h in hashes:
            if h in known:
                out.append((known[h], False))
            else:
                out.append((ids[h], True))
                known[h] = ids[h]  # a repeat later in the batch is not new
        return out

    @staticmethod
    def _ids_by_hash(s: Session, hashes: Sequence[str]) -> dict[str, int]:
        q = select(DocumentRow.content_hash, DocumentRow.id).where(DocumentRow.content_hash.in_(set(hashes)))
        return {h: i for h, i in s.execute(q)}

    def extractor_versions(self, row_ids: Sequence[int]) -> dict[int, str | None]:
        """Row id -> the extractor version that last extracted it (None: never), for a batch of documents."""
        if not row_ids:
            return {}
        q = select(DocumentRow.id, DocumentRow.extractor_version).where(DocumentRow.id.in_(set(row_ids)))
        with self.Session() as s:
            return {i: v for i, v in s.execute(q)}

    def extractor_version_of(self, document_row_id: int) -> str | None:
        """The extractor version that last extracted this document (None: never extracted)."""
        with self.Session() as s:
            return s.execute(
                select(DocumentRow.extractor_version).where(DocumentRow.id == document_row_id)
            ).scalar_one_or_none()

    def get_document(
        self, row_id: int | None = None, *, content_hash: str | None = None, doc_id: str | None = None
    ) -> Document | None:
        """A stored document by row id, content hash, or doc_id (the newest of that id)."""
        q = select(DocumentRow)
        if row_id is not None:
            q = q.where(DocumentRow.id == row_id)
        elif content_hash is not None:
            q = q.where(DocumentRow.content_hash == content_hash)
        elif doc_id is not None:
            q = q.where(DocumentRow.doc_id == doc_id).order_by(DocumentRow.id.desc()).limit(1)
        else:
            raise TypeError("get_document needs row_id, content_hash or doc_id")
        with self.Session() as s:
            r = s.execute(q).scalars().first()
            return _document(r) if r else None

    def iter_documents(self, *, extracted: bool | None = None) -> Iterator[tuple[int, Document]]:
        """(row id, Document) for every stored document, in row order; `extracted` filters on extraction."""
        q = select(DocumentRow)
        if extracted is True:
            q = q.where(DocumentRow.extracted_at.is_not(None))
        elif extracted is False:
            q = q.where(DocumentRow.extracted_at.is_(None))
        for r in self._paged(q, DocumentRow.id):
            yield r.id, _document(r)

    # ------------------------------------------------------------------------------------------ extraction

    def save_extraction(
        self, document_row_id: int, records: Sequence[Record], extractor_version: str
    ) -> None:
        """Replace the document's events, claims and evidence with `records`, in one transaction."""
        self.save_extractions([(document_row_id, records)], extractor_version)

    def save_extractions(self, batch: Iterable[tuple[int, Sequence[Record]]], extractor_version: str) -> None:
        """`save_extraction` for several documents in one transaction (all or nothing).

        Core executemany inserts (ids back via RETURNING in parameter order): a handful of statements per batch
        whatever its size, instead of the ORM's per-object bookkeeping.
        """
        items = list(batch)
        row_ids = [r for r, _ in items]
        if len(set(row_ids)) != len(row_ids):
            raise ValueError("the same document twice in one extraction batch")
        events: list[dict[str, Any]] = []
        claims: list[dict[str, Any]] = []
        ev_spans: list[list[dict[str, Any]]] = []
        cl_spans: list[list[dict[str, Any]]] = []
        for row_id, records in items:  # validate everything before touching the database
            for kind, cols, spans in _record_rows(row_id, records):
                (events if kind == "event" else claims).append(cols)
                (ev_spans if kind == "event" else cl_spans).append(spans)
        ev_t, cl_t, evi_t, doc_t = (m.__table__ for m in (EventRow, ClaimRow, EvidenceRow, DocumentRow))
        now = _now()
        with self.engine.begin() as conn:
            for i in range(0, len(row_ids), 500):  # bounded IN lists
                chunk = row_ids[i : i + 500]
                conn.execute(delete(evi_t).where(evi_t.c.document_id.in_(chunk)))
                conn.execute(delete(ev_t).where(ev_t.c.document_id.in_(chunk)))
                conn.execute(delete(cl_t).where(cl_t.c.document_id.in_(chunk)))
                res = conn.execute(
                    update(doc_t)
                    .where(doc_t.c.id.in_(chunk))
                    .values(extracted_at=now, extractor_version=extractor_version)
                )
                if res.rowcount != len(chunk):
                    known = set(conn.execute(select(doc_t.c.id).where(doc_t.c.id.in_(chunk))).scalars())
                    raise KeyError(f"no stored document with row id {sorted(set(chunk) - known)}")
            evidence: list[dict[str, Any]] = []
            for table, rows, spans, owner in (
                (ev_t, events, ev_spans, "event_id"),
                (cl_t, claims, cl_spans, "claim_id"),
            ):
                if not rows:
                    continue
                ids = (
                    conn.execute(table.insert().returning(table.c.id, sort_by_parameter_order=True), rows)
                    .scalars()
                    .all()
                )
                for pk, sp in zip(ids, spans, strict=True):
                    for e in sp:
                        evidence.append({**e, "event_id": None, "claim_id": None, owner: pk})
            if evidence:
                conn.execute(evi_t.insert(), evidence)

    def iter_events(
        self,
        *,
        document_row_id: int | None = None,
        doc_id: str | None = None,
        event_type: str | None = None,
        since: date | None = None,
        until: date | None = None,
        include_rejected: bool = False,
    ) -> Iterator[Event]:
        """Stored events (with evidence) in insertion order, optionally filtered; dates are inclusive.

        Analyst reviews overlay the extractor's values (`store.review`); events an analyst rejected are left
        out unless `include_rejected`.
        """
        t = EventRow.__table__.c
        conds = []
        if document_row_id is not None:
            conds.append(t.document_id == document_row_id)
        if doc_id is not None:
            conds.append(t.doc_id == doc_id)
        if event_type is not None:
            conds.append(t.event_type == event_type)
        if since is not None:
            conds.append(t.event_date >= since)
        if until is not None:
            conds.append(t.event_date <= until)
        with self.engine.connect() as conn:
            reviewed = review.has_reviews(conn)  # none: no overlay step at all
        if reviewed and conds and (event_type, since, until) != (None, None, None):
            # An analyst may have moved a reviewed event into (or out of) the filter: reviewed events bypass
            # the SQL filter on those fields and are checked again on their reviewed values below.
            doc_conds = conds[: (document_row_id is not None) + (doc_id is not None)]
            conds = [*doc_conds, or_(and_(*conds[len(doc_conds) :]), t.event_id.in_(review.reviewed_ids()))]
        rows = self._paged_records(EventRow, "event_id", _EVENT_COLS, conds)
        for row, spans in self._overlaid(rows, include_rejected) if reviewed else rows:
            kw = dict(row)
            for c in _EVENT_DATES:
                kw[c] = _iso(kw[c])
            if reviewed and (
                (event_type is not None and kw["event_type"] != event_type)
                or (since is not None and (kw["event_date"] is None or kw["event_date"] < since.isoformat()))
                or (until is not None and (kw["event_date"] is None or kw["event_date"] > until.isoformat()))
            ):
                continue
            yield Event(**kw, evidence=spans)

    def _overlaid(
        self, rows: Iterator[tuple[dict[str, Any], list[Evidence]]], include_rejected: bool
    ) -> Iterator[tuple[dict[str, Any], list[Evidence]]]:
        """Rows with their analyst reviews applied, a page of reviews per page of rows (one IN query)."""
        while True:
            page = list(islice(rows, PAGE))
            if not page:
                return
            with self.engine.connect() as conn:
                overlays = review.load_overlays(conn, (r["event_id"] for r, _ in page))
            for r, spans in page:
                ov = overlays.get(r["event_id"])
                if ov is not None and ov.status == "rejected" and not include_rejected:
                    continue
                yield review.apply_overlay(r, ov, iso_dates=False), spans

    def iter_claims(
        self, *, document_row_id: int | None = None, metric: str | None = None
    ) -> Iterator[Claim]:
        """Stored claims (with evidence) in insertion order, optionally filtered."""
        t = ClaimRow.__table__.c
        conds = []
        if document_row_id is not None:
            conds.append(t.document_id == document_row_id)
        if metric is not None:
            conds.append(t.metric == metric)
        for row, spans in self._paged_records(ClaimRow, "claim_id", _CLAIM_COLS, conds):
            kw = dict(row)
            for c in _CLAIM_DATES:
                kw[c] = _iso(kw[c])
            yield Claim(**kw, evidence=spans)

    def _paged_records(
        self, model: Any, owner: str, cols: list[str], conds: list[Any]
    ) -> Iterator[tuple[dict[str, Any], list[Evidence]]]:
        """Records and their evidence, a page at a time (keyset pagination: bounded memory on millions of
        rows, no long-held cursor); two Core queries per page."""
        t = model.__table__
        ev = EvidenceRow.__table__
        last = 0
        while True:
            q = (
                select(t.c.id, *(t.c[c] for c in cols))
                .where(t.c.id > last, *conds)
                .order_by(t.c.id)
                .limit(PAGE)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(q).mappings().all()
                if not rows:
                    return
                ids = [r["id"] for r in rows]
                spans: dict[int, list[Evidence]] = {i: [] for i in ids}
                eq = (
                    select(ev.c[owner], ev.c.doc_id, ev.c.start, ev.c.end, ev.c.text, ev.c.fields)
                    .where(ev.c[owner].in_(ids))
                    .order_by(ev.c.id)
                )
                for o, d, a, b, txt, f in conn.execute(eq):
                    spans[o].append(Evidence(d, a, b, txt, list(f or [])))
            for r in rows:
                yield {c: r[c] for c in cols}, spans[r["id"]]
            last = ids[-1]

    def _paged(self, q: Select[Any], id_col: Any) -> Iterator[Any]:
        """Keyset pagination: bounded memory on millions of rows, no long-held cursor."""
        last = 0
        while True:
            with self.Session() as s:
                rows = s.execute(q.where(id_col > last).order_by(id_col).limit(PAGE)).scalars().all()
            if not rows:
                return
            yield from rows
            last = rows[-1].id

    # ------------------------------------------------------------------------------------------ rejections

    def add_rejection(self, rej: Any) -> None:
        """Record a rejected input (an `ingest.readers.Rejection`); the same origin and reason again
        bumps `count` and `last_seen` instead of adding a row."""
        now = _now()
        key = hashlib.sha256(f"{rej.origin}\x1f{rej.reason}".encode()).hexdigest()
        ins = self._insert(RejectionRow).values(
            key=key,
            origin=rej.origin,
            reason=rej.reason,
            content_hash=rej.content_hash,
            first_seen=now,
            last_seen=now,
            count=1,
        )
        stmt = ins.on_conflict_do_update(
            index_elements=["key"],
            set_={
                "last_seen": now,
                "count": RejectionRow.count + 1,
                "content_hash": ins.excluded.content_hash,
            },
        )
        with self.Session.begin() as s:
            s.execute(stmt)

    def iter_rejections(self) -> Iterator[dict[str, Any]]:
        with self.Session() as s:
            for r in s.execute(select(RejectionRow).order_by(RejectionRow.id)).scalars():
                yield {
                    "origin": r.origin,
                    "reason": r.reason,
                    "content_hash": r.content_hash,
                    "first_seen": r.first_seen,
                    "last_seen": r.last_seen,
                    "count": r.count,
                }

    # ------------------------------------------------------------------------------------------ reference data

    def upsert_actors(self, actors: Iterable[dict[str, Any]]) -> int:
        """Insert or update actors by `name` (keys: name, inter, country). Returns how many were given."""
        return self._upsert(ActorRow, "name", ("inter", "country"), actors)

    def upsert_places(self, places: Iterable[dict[str, Any]]) -> int:
        """Insert or update places by `code` (keys: code, name, kind, admin1, admin2, lat, lon)."""
        return self._upsert(PlaceRow, "code", ("name", "kind", "admin1", "admin2", "lat", "lon"), places)

    def _upsert(self, model: Any, key: str, cols: tuple[str, ...], rows: Iterable[dict[str, Any]]) -> int:
        # Last one wins for a key repeated in the input (ON CONFLICT cannot touch a row twice in one statement).
        by_key = {r[key]: {key: r[key], **{c: r.get(c) for c in cols}} for r in rows}
        if not by_key:
            return 0
        ins = self._insert(model.__table__)
        stmt = ins.on_conflict_do_update(index_elements=[key], set_={c: ins.excluded[c] for c in cols})
        with self.engine.begin() as conn:
            conn.execute(stmt, list(by_key.values()))
        return len(by_key)

    def iter_actors(self) -> Iterator[dict[str, Any]]:
        with self.engine.connect() as conn:
            for r in conn.execute(select(ActorRow.__table__).order_by(ActorRow.name)).mappings():
                yield {k: r[k] for k in ("name", "inter", "country")}

    def iter_places(self) -> Iterator[dict[str, Any]]:
        with self.engine.connect() as conn:
            for r in conn.execute(select(PlaceRow.__table__).order_by(PlaceRow.code)).mappings():
                yield {k: r[k] for k in ("code", "name", "kind", "admin1", "admin2", "lat", "lon")}

    # ------------------------------------------------------------------------------------------ summary

    def counts(self) -> dict[str, int]:
        """Rows per table: documents, events, claims, evidence, rejections."""
        tables = {
            "documents": DocumentRow,
            "events": EventRow,
            "claims": ClaimRow,
            "evidence": EvidenceRow,
            "rejections": RejectionRow,
        }
        with self.Session() as s:
            return {k: s.execute(select(func.count()).select_from(m)).scalar_one() for k, m in tables.items()}


# ---------------------------------------------------------------------------------------------- mapping


def _record_rows(
    row_id: int, records: Sequence[Record]
) -> Iterator[tuple[str, dict[str, Any], list[dict[str, Any]]]]:
    """(kind, column values, evidence rows) per record, validated: ids present and unique, dates ISO."""
    seen: set[tuple[str, str]] = set()
    for rec in records:
        if isinstance(rec, Event):
            rid = rec.event_id
            cols = {c: getattr(rec, c) for c in _EVENT_COLS}
            for c in _EVENT_DATES:
                cols[c] = _to_date(cols[c], c, rid)
        elif isinstance(rec, Claim):
            rid = rec.claim_id
            cols = {c: getattr(rec, c) for c in _CLAIM_COLS}
            for c in _CLAIM_DATES:
                cols[c] = _to_date(cols[c], c, rid)
        else:
            raise TypeError(f"not an Event or Claim: {type(rec).__name__}")
        if not rid:
            raise ValueError(f"{rec.kind} without an id in document row {row_id}")
        if (rec.kind, rid) in seen:
            raise ValueError(f"duplicate {rec.kind} id {rid!r} in one extraction")
        seen.add((rec.kind, rid))
        cols["document_id"] = row_id
        spans = [
            {
                "document_id": row_id,
                "doc_id": ev.doc_id,
                "start": ev.start,
                "end": ev.end,
                "text": ev.text,
                "fields": list(ev.fields),
            }
            for ev in rec.evidence
        ]
        yield rec.kind, cols, spans


def _document(r: DocumentRow) -> Document:
    return Document(
        id=r.doc_id,
        text=r.text,
        published=r.published,
        title=r.title,
        source=r.source,
        url=r.url,
        byline=r.byline,
        origin=r.origin,
        fmt=r.fmt,
    )
