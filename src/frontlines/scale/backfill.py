"""`frontlines backfill`: many JSONL/Parquet shards through Dask workers into one store, resumably.

The driver plans tasks (line ranges of JSONL shards, row groups of Parquet shards), keeps a bounded number of
them in flight on a Dask cluster (a LocalCluster of N single-threaded processes, or a running scheduler), and
writes or tallies results as they come back. Workers skip documents already stored and extracted by the current
extractor version, so re-running after an interruption finishes the rest: documents are keyed by content hash
and an extraction is replaced whole in one transaction, so nothing is lost and nothing duplicated.

Who writes: on SQLite the driver (one writer; workers return records); on PostgreSQL the workers (writes scale
with them). `--write` overrides.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from frontlines import config
from frontlines.config import DbOption
from frontlines.ingest.readers import Rejection
from frontlines.scale.sources import Task, plan
from frontlines.scale.worker import Options, TaskResult, run_task, write_batch

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
WRITE_MODES = ("auto", "driver", "workers")


@dataclass
class BackfillStats:
    tasks: int = 0
    read: int = 0
    new: int = 0
    skipped: int = 0  # already extracted by this extractor version (an earlier run, or a repeat)
    extracted: int = 0
    events: int = 0
    claims: int = 0
    words: int = 0
    rejected: int = 0
    failed_tasks: int = 0
    workers: int = 0
    seconds: float = 0.0  # start to the last result (the local cluster's shutdown after it not included)
    cluster_s: float = 0.0  # of which planning and starting (or reaching) the cluster
    peak_rss_mb: dict[int, float] = field(default_factory=dict)  # worker pid -> peak RSS
    cpu_s: dict[int, float] = field(default_factory=dict)  # worker pid -> CPU seconds (user + system)

    def summary(self) -> str:
        rate = self.extracted / self.seconds if self.seconds else 0.0
        return (
            f"backfill: {self.read} documents read, {self.new} new, {self.skipped} already extracted, "
            f"{self.extracted} extracted, {self.events} events, {self.claims} claims, {self.rejected} rejected; "
            f"{self.tasks} tasks on {self.workers} workers in {self.seconds:.1f} s ({rate:.1f} documents/s)"
        )


def backfill_command(
    sources: Annotated[
        list[str], typer.Argument(help="JSONL (.jsonl/.ndjson) or Parquet shards, or folders.")
    ],
    db: DbOption = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", help="Local worker processes, one thread each (default: CPU cores)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Address of a running dask scheduler (tcp://host:8786) instead."),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", help="Documents per extraction batch and per write transaction.")
    ] = 64,
    chunk_size: Annotated[int, typer.Option("--chunk-size", help="Lines or rows per task.")] = 512,
    published: Annotated[
        str | None,
        typer.Option("--published", help="Publication date (YYYY-MM-DD) for documents without one."),
    ] = None,
    write: Annotated[
        str,
        typer.Option(
            "--write", help="Who writes: auto (workers on PostgreSQL, the driver on SQLite), driver, workers."
        ),
    ] = "auto",
    no_progress: Annotated[bool, typer.Option("--no-progress", help="No progress bar.")] = False,
) -> None:
    """Backfill shards with Dask workers into a store; re-run to resume. Exit 1 if any document was rejected."""
    raise typer.Exit(
        run_backfill(
            sources,
            db_url=db,
            workers=workers,
            scheduler=scheduler,
            batch_size=batch_size,
            chunk_size=chunk_size,
            published=published,
            write=write,
            progress=not no_progress,
        )
    )


def run_backfill(
    sources: Sequence[str],
    *,
    db_url: str | None,
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = 64,
    chunk_size: int = 512,
    published: str | None = None,
    write: str = "auto",
    progress: bool = True,
) -> int:
    """The command's work; returns the exit status (0 done, 1 some document rejected or failed, 2 usage)."""
    from frontlines.ingest.service import parse_published

    err = Console(stderr=True, highlight=False, soft_wrap=True)

    def usage(msg: str) -> int:
        err.print(f"frontlines: {msg}", markup=False)
        return EXIT_USAGE

    if not sources:
        return usage("backfill needs at least one SOURCE")
    if workers is not None and scheduler is not None:
        return usage("--workers and --scheduler exclude each other (a scheduler has its own workers)")
    if workers is not None and workers < 1:
        return usage("--workers must be at least 1")
    if batch_size < 1 or chunk_size < 1:
        return usage("--batch-size and --chunk-size must be at least 1")
    if write not in WRITE_MODES:
        return usage(f"--write must be one of {', '.join(WRITE_MODES)}, got {write!r}")
    try:
        pub = parse_published(published)
    except ValueError as e:
        return usage(str(e))
    from frontlines.store.db import open_store

    url = config.resolve_db_url(db_url)
    try:
        store = open_store(url)  # migrates once, here, before any worker connects
    except Exception as e:  # a bad URL or an unreachable server is a usage problem, not a crash
        return usage(f"cannot open store {url!r}: {e}")
    try:
        stats = backfill(
            sources,
            store,
            db_url=url,
            workers=workers,
            scheduler=scheduler,
            batch_size=batch_size,
            chunk_size=chunk_size,
            published=pub,
            write=write,
            console=err,
            progress=progress,
        )
    finally:
        store.close()
    print(stats.summary())
    return EXIT_REJECTED if stats.rejected or stats.failed_tasks else EXIT_OK


def backfill(
    sources: Sequence[str],
    store: Any,
    *,
    db_url: str,
    workers: int | None = None,
    scheduler: str | None = None,
    batch_size: int = 64,
    chunk_size: int = 512,
    published: date | None = None,
    write: str = "auto",
    console: Console | None = None,
    progress: bool = True,
) -> BackfillStats:
    """Backfill into an open `Store` (whose URL workers open as `db_url`); usable from other code."""
    from distributed import Client, LocalCluster, as_completed

    err = console or Console(stderr=True, highlight=False, soft_wrap=True)
    if write == "auto":
        write = "workers" if store.engine.dialect.name == "postgresql" else "driver"
    opts = Options(db_url=db_url, published=published, batch_size=batch_size, write=write)
    stats = BackfillStats()
    t0 = time.perf_counter()

    def reject(rej: Rejection) -> None:
        stats.rejected += 1
        err.print(f"frontlines: rejected {rej.origin}: {rej.reason}", markup=False)
        store.add_rejection(rej)

    # Planning streams every JSONL shard once (line offsets) and reads Parquet footers: tasks, not documents.
    tasks: list[Task] = []
    for t in plan(sources, chunk_size):
        if isinstance(t, Rejection):
            reject(t)
        else:
            tasks.append(t)
    stats.tasks = len(tasks)

    cluster = None
    if scheduler is not None:
        client = Client(scheduler, timeout="20s")
    else:
        n = workers or os.cpu_count() or 1
        cluster = LocalCluster(
            n_workers=n,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    stats.cluster_s = time.perf_counter() - t0
    bar = Progress(
        TextColumn("backfill"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("lines/rows"),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not progress or not err.is_terminal,
    )
    try:
        stats.workers = max(1, len(client.scheduler_info().get("workers", {})))
        # A bounded window of tasks in flight: the driver holds a few tasks' results, never the corpus.
        window = 2 * stats.workers + 1
        queue = deque(tasks)
        pending = as_completed()
        labels: dict[str, Task] = {}

        def submit() -> None:
            t = queue.popleft()
            # A key of its own: a scheduler shares results between clients that submit the same key.
            fut = client.submit(run_task, t, opts, key=f"backfill-{uuid.uuid4().hex[:16]}-{t.label}")
            labels[fut.key] = t
            pending.add(fut)

        with bar:
            job = bar.add_task("backfill", total=sum(t.count for t in tasks))
            for _ in range(min(window, len(queue))):
                submit()
            for fut in pending:
                task = labels.pop(fut.key)
                try:
                    res: TaskResult = fut.result()
                except Exception as e:  # noqa: BLE001 - a lost worker or a bug: this task only, re-run retries it
                    stats.failed_tasks += 1
                    reject(Rejection(task.label, f"task failed: {type(e).__name__}: {e}"))
                else:
                    _tally(res, stats, store, batch_size, reject)
                fut.release()
                bar.advance(job, task.count)
                if queue:
                    submit()
        stats.seconds = time.perf_counter() - t0  # the work; shutting the cluster down is not counted
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return stats


def _tally(res: TaskResult, stats: BackfillStats, store: Any, batch_size: int, reject: Any) -> None:
    for rej in res.rejections:
        reject(rej)
    stats.read += res.read
    stats.skipped += res.skipped
    stats.words += res.words
    stats.peak_rss_mb[res.pid] = max(stats.peak_rss_mb.get(res.pid, 0.0), res.peak_rss_mb)
    stats.cpu_s[res.pid] = max(stats.cpu_s.get(res.pid, 0.0), res.cpu_s)
    written = [res.written]
    for i in range(0, len(res.items), batch_size):  # write="driver": one transaction per batch
        written.append(write_batch(store, res.items[i : i + batch_size], res.version))
    for w in written:
        stats.new += w.new
        stats.extracted += w.saved
        stats.events += w.events
        stats.claims += w.claims
        for rej in w.failed:
            reject(rej)
    # Extracted on a worker but already written by an earlier task (the same text twice): skipped, not lost.
    failed_stores = sum(1 for w in written for r in w.failed if r.reason.startswith("extraction not stored"))
    stats.skipped += max(0, res.extracted - sum(w.saved for w in written) - failed_stores)


__all__ = ["BackfillStats", "backfill", "backfill_command", "run_backfill"]
