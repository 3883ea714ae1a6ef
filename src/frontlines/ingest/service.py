"""`frontlines ingest`: read documents, store them, extract events and claims, store those.

Idempotent: a document already stored (same content hash) is not stored again, and it is not extracted again
when its stored extraction came from the same extractor version. Each document's records are written in one
transaction, so an interrupted run leaves whole extractions or none; the next run finishes the rest.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from frontlines import config
from frontlines.ingest.readers import Rejection, read_sources
from frontlines.records import Document

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2


@dataclass
class IngestStats:
    new: int = 0
    unchanged: int = 0
    rejected: int = 0
    extracted: int = 0
    failed: int = 0  # stored but extraction failed (retried on the next run)
    events: int = 0
    claims: int = 0

    def summary(self) -> str:
        s = (
            f"stored {self.new} new, {self.unchanged} unchanged, {self.rejected} rejected, "
            f"{self.events} events, {self.claims} claims"
        )
        return s + (f" ({self.failed} extraction failures)" if self.failed else "")


def parse_published(value: str | None) -> date | None:
    """The `--published` option: strictly YYYY-MM-DD. ValueError otherwise."""
    if value is None:
        return None
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        raise ValueError(f"--published must be YYYY-MM-DD, got {value!r}")
    try:
        d = date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"--published is not a calendar date: {value!r}") from None
    if not config.MIN_PUBLISHED_YEAR <= d.year <= config.MAX_PUBLISHED_YEAR:
        raise ValueError(
            f"--published {value!r} is outside the years {config.MIN_PUBLISHED_YEAR}-{config.MAX_PUBLISHED_YEAR}"
        )
    return d


def ingest_command(
    paths: list[str], *, db_url: str | None, published: str | None, extract: bool = True
) -> int:
    """Run `frontlines ingest`. Returns the exit status: 0 all stored, 1 some rejected or failed, 2 usage."""
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if not paths:
        err.print("frontlines: ingest needs at least one PATH (or - for stdin)", markup=False)
        return EXIT_USAGE
    try:
        pub = parse_published(published)
    except ValueError as e:
        err.print(f"frontlines: {e}", markup=False)
        return EXIT_USAGE
    url = config.resolve_db_url(db_url)
    try:
        store = _open_store(url)
    except Exception as e:  # a bad URL or an unreachable server is a usage problem, not a crash
        err.print(f"frontlines: cannot open store {url!r}: {e}", markup=False)
        return EXIT_USAGE
    try:
        stats = ingest(paths, store, published=pub, extract=extract, console=err)
    finally:
        store.close()
    print(stats.summary())
    return EXIT_REJECTED if stats.rejected or stats.failed else EXIT_OK


# Errors from another process creating the same fresh store's schema at the same moment (the migration is not
# serialised across processes): the schema is there once that process is done, so opening again succeeds.
_MIGRATION_RACE = re.compile(r"already exists|duplicate key|UniqueViolation|database is locked", re.I)


def _open_store(url: str, attempts: int = 6) -> Any:
    import time

    from frontlines.store.db import open_store

    for i in range(attempts):
        try:
            return open_store(url)
        except Exception as e:
            if i == attempts - 1 or not _MIGRATION_RACE.search(str(e)):
                raise
            time.sleep(0.25 * 2**i)  # up to ~8 s in all
    raise AssertionError("unreachable")


def ingest(
    paths: Sequence[str],
    store: Any,
    *,
    published: date | None = None,
    extract: bool = True,
    extractor: Any = None,
    extractor_version: str | None = None,
    console: Console | None = None,
) -> IngestStats:
    """Ingest into an open `Store`; the work behind `ingest_command`, usable from other code (backfill)."""
    err = console or Console(stderr=True, highlight=False, soft_wrap=True)
    stats = IngestStats()
    if extractor_version is None:
        # Re-extract stored documents whenever the extractor (code or rules) changes version.
        from frontlines.extract.pipeline import EXTRACTOR_VERSION

        extractor_version = getattr(extractor, "version", None) or EXTRACTOR_VERSION
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TextColumn("{task.completed} documents"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )

    def report(rej: Rejection) -> None:
        stats.rejected += 1
        err.print(f"frontlines: rejected {rej.origin}: {rej.reason}", markup=False)
        store.add_rejection(rej)

    pending: list[tuple[int, Document]] = []
    queued: set[int] = (
        set()
    )  # row ids waiting for extraction in this run (the same content twice in the input)

    def flush() -> None:
        nonlocal extractor
        if not pending:
            return
        if extractor is None:
            try:
                from frontlines.extract.pipeline import get_extractor

                extractor = get_extractor()
            except Exception as e:  # no model, broken install: store documents, say so once
                extractor = _Unavailable(f"{type(e).__name__}: {e}")
                err.print(f"frontlines: extraction unavailable: {extractor.why}", markup=False)
        if isinstance(extractor, _Unavailable):
            stats.failed += len(pending)
            pending.clear()
            queued.clear()
            return
        _extract_batch(extractor, pending, store, extractor_version, stats, err)
        pending.clear()
        queued.clear()

    batch_size = config.INGEST_BATCH  # documents per extraction batch and per storage transaction
    with progress:
        task = progress.add_task("ingesting", total=None)
        for batch in batches(read_sources(paths, published=published), batch_size):
            docs = [d for d in batch if isinstance(d, Document)]
            for item in batch:
                if isinstance(item, Rejection):
                    report(item)
            if not docs:
                continue
            results = store.add_documents(docs)
            versions = store.extractor_versions([r for r, c in results if not c]) if extract else {}
            for doc, (row_id, created) in zip(docs, results, strict=True):
                if created:
                    stats.new += 1
                else:
                    stats.unchanged += 1
                if not extract:
                    continue
                if row_id in queued or (not created and versions.get(row_id) == extractor_version):
                    continue
                queued.add(row_id)
                pending.append((row_id, doc))
            progress.advance(task, len(docs))
            if len(pending) >= batch_size:
                flush()
        flush()
    return stats


def _extract_batch(
    extractor: Any,
    pending: list[tuple[int, Document]],
    store: Any,
    version: str,
    stats: IngestStats,
    err: Console,
) -> None:
    """Extract and store a batch; if the batch fails, retry one by one so one bad document costs only itself."""
    try:
        # pipe yields in input order (spaCy's pipe does), so results pair with `pending` by position
        results = list(extractor.pipe([d for _, d in pending]))
        out = [(row_id, doc, recs) for (row_id, _), (doc, recs) in zip(pending, results, strict=True)]
        store.save_extractions([(row_id, recs) for row_id, _, recs in out], version)
    except Exception:
        out = []
        for row_id, doc in pending:
            try:
                recs = extractor.extract(doc)
                store.save_extraction(row_id, recs, version)
            except Exception as e:  # one document's crash is that document's rejection; the batch goes on
                stats.failed += 1
                why = f"extraction failed (document stored, retried on the next run): {type(e).__name__}: {e}"
                err.print(
                    f"frontlines: extraction failed for {doc.id}: {type(e).__name__}: {e}", markup=False
                )
                _record_failure(store, Rejection(doc.origin or doc.id, why[:2000], doc.hash), err)
                continue
            out.append((row_id, doc, recs))
    for _, _, recs in out:
        stats.extracted += 1
        stats.events += sum(1 for r in recs if r.kind == "event")
        stats.claims += sum(1 for r in recs if r.kind == "claim")


def _record_failure(store: Any, rej: Rejection, err: Console) -> None:
    try:
        store.add_rejection(rej)
    except Exception as e:  # the store being down is reported, it does not end the run
        err.print(f"frontlines: could not record the failure of {rej.origin}: {e}", markup=False)


@dataclass
class _Unavailable:
    why: str


def batches(items: Iterator[Any], n: int) -> Iterator[list[Any]]:
    """Lists of up to `n` items, in order (itertools.batched from Python 3.12)."""
    batch: list[Any] = []
    for it in items:
        batch.append(it)
        if len(batch) >= n:
            yield batch
            batch = []
    if batch:
        yield batch


__all__ = ["IngestStats", "batches", "ingest", "ingest_command", "parse_published"]
