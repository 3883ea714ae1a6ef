"""What runs on a Dask worker: read a task's documents, skip those already done, extract, write or return.

Each worker process loads spaCy and the extractor once (module-level cache, kept across tasks) and opens the
store once. `write_batch` is the one way results reach the store, on a worker (PostgreSQL) or on the driver
(SQLite, one writer): documents by content hash (ON CONFLICT), then the extraction of every document not yet
extracted by this extractor version, one transaction per batch.
"""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import select, text

from frontlines.ingest.readers import Rejection
from frontlines.ingest.service import batches
from frontlines.records import Document, Record
from frontlines.scale.sources import Task, read_task

# Namespace of the PostgreSQL advisory locks taken per document row while its extraction is replaced.
_LOCK_NS = 0x46524F4E  # "FRON"


@dataclass(frozen=True, slots=True)
class Options:
    """What every task needs besides its Task; small, pickled with each task."""

    db_url: str
    published: date | None
    batch_size: int
    write: str  # "driver": return records to the driver | "workers": write here


@dataclass(slots=True)
class Extracted:
    """One document's extraction: records, or the reason it failed."""

    doc: Document
    records: list[Record] | None
    error: str | None = None


@dataclass(slots=True)
class Written:
    new: int = 0
    saved: int = 0  # documents whose extraction was written
    events: int = 0
    claims: int = 0
    failed: list[Rejection] = field(default_factory=list)


@dataclass(slots=True)
class TaskResult:
    label: str
    lines: int  # lines or rows the task covered (progress)
    version: str = ""  # the extractor version the worker ran
    read: int = 0  # documents read
    skipped: int = 0  # already stored and extracted by this extractor version
    extracted: int = 0
    words: int = 0  # words in the documents extracted
    written: Written = field(default_factory=Written)
    rejections: list[Rejection] = field(default_factory=list)
    items: list[Extracted] = field(default_factory=list)  # write="driver" only
    pid: int = 0
    peak_rss_mb: float = 0.0
    cpu_s: float = 0.0  # the worker process's CPU time so far (user + system)


@lru_cache(maxsize=1)
def extractor() -> Any:
    """The worker's extractor (spaCy pipeline, gazetteer, lexicons), loaded on its first task."""
    from frontlines.extract.pipeline import get_extractor

    return get_extractor()


@lru_cache(maxsize=4)
def _store(url: str) -> Any:
    from frontlines.store.db import open_store

    return open_store(url, migrate=False)  # the driver brought the schema up to date


def run_task(task: Task, opts: Options) -> TaskResult:
    """Process one task; a broken document costs only itself (a rejection), never the task."""
    from frontlines.extract.pipeline import Extractor

    res = TaskResult(task.label, task.count)
    version = res.version = Extractor.version  # known without loading the model: a resumed run may need none
    store = _store(opts.db_url) if opts.write == "workers" else _maybe_store(opts.db_url)
    for batch in batches(read_task(task, opts.published), opts.batch_size):
        docs: list[Document] = []
        for item in batch:
            if isinstance(item, Rejection):
                res.rejections.append(item)
            else:
                docs.append(item)
        res.read += len(docs)
        todo = _not_done(store, docs, version)
        res.skipped += len(docs) - len(todo)
        if not todo:
            continue
        out = extract_batch(extractor(), todo)
        res.extracted += sum(1 for e in out if e.records is not None)
        res.words += sum(len(e.doc.text.split()) for e in out)
        if opts.write == "workers":
            w = write_batch(store, out, version)
            res.written.new += w.new
            res.written.saved += w.saved
            res.written.events += w.events
            res.written.claims += w.claims
            res.written.failed.extend(w.failed)
        else:
            res.items.extend(out)
    res.pid = os.getpid()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    res.peak_rss_mb = usage.ru_maxrss / 1024
    res.cpu_s = usage.ru_utime + usage.ru_stime
    return res


def _maybe_store(url: str) -> Any:
    """The store for the skip check when the driver writes; a worker that cannot reach it (SQLite on another
    machine) extracts everything and the driver's own check keeps the store free of duplicates."""
    try:
        return _store(url)
    except Exception:  # noqa: BLE001 - only an optimisation is lost
        return None


def _not_done(store: Any, docs: list[Document], version: str) -> list[Document]:
    """Documents not yet stored and extracted by `version`, the first of each content in the batch."""
    hashes = [d.hash for d in docs]
    done: dict[str, str | None] = {}
    if store is not None and docs:
        from frontlines.store.models import DocumentRow

        t = DocumentRow.__table__.c
        try:
            with store.engine.connect() as conn:
                q = select(t.content_hash, t.extractor_version).where(t.content_hash.in_(set(hashes)))
                done = dict(conn.execute(q).all())
        except Exception:  # noqa: BLE001 - unreadable now (locked, gone): extract, the writer dedups
            done = {}
    out: list[Document] = []
    seen: set[str] = set()
    for d, h in zip(docs, hashes, strict=True):
        if h in seen or done.get(h) == version:
            continue
        seen.add(h)
        out.append(d)
    return out


def extract_batch(ext: Any, docs: Sequence[Document]) -> list[Extracted]:
    """`Extractor.pipe` over the batch; if it fails, one document at a time so only the bad one fails."""
    try:
        return [Extracted(d, recs) for d, recs in ext.pipe(docs, batch_size=len(docs))]
    except Exception:  # noqa: BLE001 - isolate the failing document below
        pass
    out: list[Extracted] = []
    for d in docs:
        try:
            out.append(Extracted(d, ext.extract(d)))
        except Exception as e:  # noqa: BLE001 - one broken document never stops a run
            out.append(Extracted(d, None, f"extraction failed: {type(e).__name__}: {e}"))
    return out


def write_batch(store: Any, batch: Sequence[Extracted], version: str) -> Written:
    """Store the documents and the extractions they lack, in two transactions (documents, then all extractions).

    A document whose stored extraction already has `version` (an earlier run, another worker, a repeat in
    the input) is not written again, so a re-run or a race adds nothing. On PostgreSQL the check and the
    write happen under per-document advisory locks: two workers holding the same text cannot both replace
    its extraction (each replacement deletes only the rows it can see, so interleaved they would duplicate).
    """
    w = Written()
    if not batch:
        return w
    ids = store.add_documents([e.doc for e in batch])
    w.new = sum(1 for _, created in ids if created)
    rows = {rid for rid, _ in ids}
    with _locked(store, sorted(rows)):
        versions = store.extractor_versions(sorted(rows))
        save: list[tuple[int, Extracted]] = []
        seen: set[int] = set()
        for e, (rid, _) in zip(batch, ids, strict=True):
            if rid in seen or versions.get(rid) == version:
                continue
            seen.add(rid)
            if e.records is None:
                w.failed.append(
                    Rejection(e.doc.origin or e.doc.id, e.error or "extraction failed", e.doc.hash)
                )
                continue
            save.append((rid, e))
        try:
            store.save_extractions([(rid, e.records) for rid, e in save], version)
            done = save
        except Exception:  # noqa: BLE001 - a record the store refuses: find it, keep the rest
            done = []
            for rid, e in save:
                try:
                    store.save_extraction(rid, e.records, version)
                    done.append((rid, e))
                except Exception as exc:  # noqa: BLE001
                    w.failed.append(
                        Rejection(
                            e.doc.origin or e.doc.id,
                            f"extraction not stored: {type(exc).__name__}: {exc}",
                            e.doc.hash,
                        )
                    )
    for _, e in done:
        w.saved += 1
        w.events += sum(1 for r in e.records or () if r.kind == "event")
        w.claims += sum(1 for r in e.records or () if r.kind == "claim")
    return w


@contextmanager
def _locked(store: Any, row_ids: list[int]) -> Iterator[None]:
    """Session advisory locks on the rows (PostgreSQL; taken in id order, so workers cannot deadlock), released
    on exit or when the connection dies with its process. SQLite has one writer at a time already."""
    if store.engine.dialect.name != "postgresql" or not row_ids:
        yield
        return
    with store.engine.connect() as conn:
        conn.execute(
            text(
                "SELECT pg_advisory_lock(:ns, x) FROM "
                "(SELECT x FROM unnest(CAST(:ids AS integer[])) AS x ORDER BY x) AS s"
            ),
            {"ns": _LOCK_NS, "ids": row_ids},
        )
        conn.commit()
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock_all()"))
            conn.commit()


__all__ = [
    "Extracted",
    "Options",
    "TaskResult",
    "Written",
    "extract_batch",
    "extractor",
    "run_task",
    "write_batch",
]
