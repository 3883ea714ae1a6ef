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
from typing import Any

from sqlalchemy import Engine, Select, delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, selectinload, sessionmaker

from frontlines.records import Claim, Document, Event, Evidence, Record
from frontlines.store.models import ClaimRow, DocumentRow, EventRow, EvidenceRow, RejectionRow

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
        """`save_extraction` for several documents in one transaction (all or nothing)."""
        now = _now()
        with self.Session.begin() as s:
            for row_id, records in batch:
                rows = _record_rows(row_id, records)  # validates before anything is deleted
                s.execute(delete(EvidenceRow).where(EvidenceRow.document_id == row_id))
                s.execute(delete(EventRow).where(EventRow.document_id == row_id))
                s.execute(delete(ClaimRow).where(ClaimRow.document_id == row_id))
                s.add_all(rows)
                res = s.execute(
                    update(DocumentRow)
                    .where(DocumentRow.id == row_id)
                    .values(extracted_at=now, extractor_version=extractor_version)
                )
                if res.rowcount != 1:
                    raise KeyError(f"no stored document with row id {row_id}")

    def iter_events(
        self,
        *,
        document_row_id: int | None = None,
        doc_id: str | None = None,
        event_type: str | None = None,
        since: date | None = None,
        until: date | None = None,
    ) -> Iterator[Event]:
        """Stored events (with evidence) in insertion order, optionally filtered; dates are inclusive."""
        q = select(EventRow).options(selectinload(EventRow.evidence))
        if document_row_id is not None:
            q = q.where(EventRow.document_id == document_row_id)
        if doc_id is not None:
            q = q.where(EventRow.doc_id == doc_id)
        if event_type is not None:
            q = q.where(EventRow.event_type == event_type)
        if since is not None:
            q = q.where(EventRow.event_date >= since)
        if until is not None:
            q = q.where(EventRow.event_date <= until)
        for r in self._paged(q, EventRow.id):
            yield _event(r)

    def iter_claims(
        self, *, document_row_id: int | None = None, metric: str | None = None
    ) -> Iterator[Claim]:
        """Stored claims (with evidence) in insertion order, optionally filtered."""
        q = select(ClaimRow).options(selectinload(ClaimRow.evidence))
        if document_row_id is not None:
            q = q.where(ClaimRow.document_id == document_row_id)
        if metric is not None:
            q = q.where(ClaimRow.metric == metric)
        for r in self._paged(q, ClaimRow.id):
            yield _claim(r)

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


def _record_rows(row_id: int, records: Sequence[Record]) -> list[EventRow | ClaimRow]:
    out: list[EventRow | ClaimRow] = []
    seen: set[tuple[str, str]] = set()
    for rec in records:
        if isinstance(rec, Event):
            rid = rec.event_id
            cols = {c: getattr(rec, c) for c in _EVENT_COLS}
            for c in _EVENT_DATES:
                cols[c] = _to_date(cols[c], c, rid)
            row: EventRow | ClaimRow = EventRow(document_id=row_id, **cols)
        elif isinstance(rec, Claim):
            rid = rec.claim_id
            cols = {c: getattr(rec, c) for c in _CLAIM_COLS}
            for c in _CLAIM_DATES:
                cols[c] = _to_date(cols[c], c, rid)
            row = ClaimRow(document_id=row_id, **cols)
        else:
            raise TypeError(f"not an Event or Claim: {type(rec).__name__}")
        if not rid:
            raise ValueError(f"{rec.kind} without an id in document row {row_id}")
        if (rec.kind, rid) in seen:
            raise ValueError(f"duplicate {rec.kind} id {rid!r} in one extraction")
        seen.add((rec.kind, rid))
        row.evidence = [
            EvidenceRow(
                document_id=row_id,
                doc_id=ev.doc_id,
                start=ev.start,
                end=ev.end,
                text=ev.text,
                fields=list(ev.fields),
            )
            for ev in rec.evidence
        ]
        out.append(row)
    return out


def _evidence(rows: Iterable[EvidenceRow]) -> list[Evidence]:
    return [Evidence(r.doc_id, r.start, r.end, r.text, list(r.fields or [])) for r in rows]


def _event(r: EventRow) -> Event:
    kw = {c: getattr(r, c) for c in _EVENT_COLS}
    for c in _EVENT_DATES:
        kw[c] = _iso(kw[c])
    return Event(**kw, evidence=_evidence(r.evidence))


def _claim(r: ClaimRow) -> Claim:
    kw = {c: getattr(r, c) for c in _CLAIM_COLS}
    for c in _CLAIM_DATES:
        kw[c] = _iso(kw[c])
    return Claim(**kw, evidence=_evidence(r.evidence))


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
