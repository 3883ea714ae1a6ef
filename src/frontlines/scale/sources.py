"""Backfill sources: JSON Lines and Parquet shards (or folders of them) split into tasks a worker can read alone.

A task is a line range of a JSONL shard (with the byte offset of its first line, so a worker seeks instead of
re-reading the shard) or a run of row groups of a Parquet shard. Planning streams each JSONL shard once and reads
only Parquet footers: the driver never holds documents. Rows become Documents through the same JSON Lines reader
`ingest` uses, so validation, rejection reasons, origins (``path:line``) and ids match a plain ingest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from frontlines.ingest.readers import JSONL_EXTS, Rejection
from frontlines.ingest.readers import _bounded_lines as bounded_lines
from frontlines.ingest.readers import _read_jsonl_lines as read_jsonl_lines
from frontlines.records import Document

PARQUET_EXTS = {".parquet", ".parq"}
_BLOCK = 1 << 20
SHARD_EXTS = JSONL_EXTS | PARQUET_EXTS
# The contract's document fields; other Parquet columns are not read.
COLUMNS = ("id", "text", "published", "title", "source", "url", "byline")


@dataclass(frozen=True, slots=True)
class Task:
    """One unit of work: `count` lines from line `first` (1-based) at byte `offset`, or Parquet row groups."""

    path: str
    fmt: str  # "jsonl" | "parquet"
    first: int  # 1-based line (JSONL) or row (Parquet) number of the task's first item
    count: int  # lines or rows
    offset: int = 0  # JSONL: byte offset of line `first`; Parquet: rows to skip in the first row group
    row_groups: tuple[int, ...] = ()  # Parquet

    @property
    def label(self) -> str:
        return f"{self.path}:{self.first}-{self.first + self.count - 1}"


def expand(paths: Sequence[str]) -> Iterator[str | Rejection]:
    """Shard paths in the order given (folders walked recursively in sorted order, hidden entries skipped);
    a missing path or a file of another kind named on the command line becomes a Rejection."""
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for sub in sorted(path.rglob("*")):
                rel = sub.relative_to(path).parts
                if (
                    sub.is_file()
                    and sub.suffix.lower() in SHARD_EXTS
                    and not any(x.startswith(".") for x in rel)
                ):
                    yield str(sub)
        elif not path.exists():
            yield Rejection(p, "no such file or directory")
        elif path.suffix.lower() in SHARD_EXTS:
            yield p
        else:
            yield Rejection(p, "not a backfill shard (.jsonl, .ndjson or .parquet)")


def plan(paths: Sequence[str], chunk: int) -> Iterator[Task | Rejection]:
    """Tasks of about `chunk` lines or rows each, shard by shard, lazily."""
    for p in expand(paths):
        if isinstance(p, Rejection):
            yield p
        elif Path(p).suffix.lower() in PARQUET_EXTS:
            yield from _plan_parquet(p, chunk)
        else:
            yield from _plan_jsonl(p, chunk)


def _plan_jsonl(path: str, chunk: int) -> Iterator[Task | Rejection]:
    """Line ranges found by counting newlines in fixed-size blocks: memory stays flat even for a shard
    with one enormous line."""
    try:
        fh = open(path, "rb")  # noqa: SIM115 - closed below; the generator yields while reading
    except OSError as e:
        yield Rejection(path, f"cannot read: {e.strerror or e}")
        return
    with fh:
        first, offset = 1, 0  # the next task's first line and its byte offset
        n = pos = 0  # complete lines seen; bytes read before the current block
        while block := fh.read(_BLOCK):
            i = 0
            while (j := block.find(b"\n", i)) >= 0:
                n, i = n + 1, j + 1
                if n - first + 1 == chunk:
                    yield Task(path, "jsonl", first, chunk, offset)
                    first, offset = n + 1, pos + i
            pos += len(block)
        if pos > offset:  # lines after the last task, the last one perhaps without a newline
            last = n + (0 if _ends_with_newline(fh) else 1)
            yield Task(path, "jsonl", first, last - first + 1, offset)


def _ends_with_newline(fh: Any) -> bool:
    fh.seek(-1, 2)
    return fh.read(1) == b"\n"


def _plan_parquet(path: str, chunk: int) -> Iterator[Task | Rejection]:
    import pyarrow.parquet as pq

    try:
        meta = pq.ParquetFile(path).metadata
    except Exception as e:  # noqa: BLE001 - not Parquet, truncated: the shard is rejected, the run goes on
        yield Rejection(path, f"unreadable Parquet: {type(e).__name__}: {e}")
        return
    groups: list[int] = []
    first = row = 1  # `row`: the shard's row number after the groups seen so far
    for g in range(meta.num_row_groups):
        rows = meta.row_group(g).num_rows
        if rows > chunk:  # a big row group is split into row ranges (offset = rows to skip inside it)
            if groups:
                yield Task(path, "parquet", first, row - first, row_groups=tuple(groups))
                groups = []
            for skip in range(0, rows, chunk):
                n = min(chunk, rows - skip)
                yield Task(path, "parquet", row + skip, n, skip, (g,))
            row += rows
            first = row
            continue
        groups.append(g)
        row += rows
        if row - first >= chunk:
            yield Task(path, "parquet", first, row - first, row_groups=tuple(groups))
            groups, first = [], row
    if groups and row > first:
        yield Task(path, "parquet", first, row - first, row_groups=tuple(groups))


def read_task(task: Task, published: date | None) -> Iterator[Document | Rejection]:
    """The task's Documents and Rejections, in shard order."""
    try:
        if task.fmt == "parquet":
            yield from _read_parquet(task, published)
        else:
            yield from _read_jsonl(task, published)
    except OSError as e:
        yield Rejection(task.label, f"cannot read: {e.strerror or e}")


def _read_jsonl(task: Task, published: date | None) -> Iterator[Document | Rejection]:
    with open(task.path, "rb") as fh:
        fh.seek(task.offset)
        # Bounded reads (a line over the document limit is skipped, not held), as ingest reads JSONL.
        lines = islice(bounded_lines(fh), task.count)
        for item in read_jsonl_lines(lines, task.path, published):
            yield _renumber(item, task.path, task.first - 1)


def _renumber(item: Document | Rejection, path: str, shift: int) -> Document | Rejection:
    """The reader numbers lines from 1; a task starting further down the shard shifts them to the shard's."""
    if not shift:
        return item
    origin = item.origin or ""
    head, _, num = origin.rpartition(":")
    if head != path or not num.isdigit():
        return item
    real = f"{path}:{int(num) + shift}"
    if isinstance(item, Rejection):
        return Rejection(real, item.reason, item.content_hash)
    if item.id == origin:  # no `id` in the line: the contract's doc_id is the origin
        item.id = real
    item.origin = real
    return item


def _read_parquet(task: Task, published: date | None) -> Iterator[Document | Rejection]:
    import pyarrow.parquet as pq

    pf = pq.ParquetFile(task.path)
    columns = [c for c in COLUMNS if c in pf.schema_arrow.names]
    skip, left, n = task.offset, task.count, task.first - 1
    for batch in pf.iter_batches(batch_size=256, row_groups=list(task.row_groups), columns=columns):
        if skip >= batch.num_rows:
            skip -= batch.num_rows
            continue
        for row in batch.slice(skip, left).to_pylist():
            n += 1
            left -= 1
            # Through the JSON Lines reader: one set of rules for what a valid document is.
            line = json.dumps(row, default=_json_default, ensure_ascii=False).encode()
            for item in read_jsonl_lines([line], task.path, published):
                yield _renumber(item, task.path, n - 1)
        skip = 0
        if left <= 0:
            return


def _json_default(value: Any) -> str:
    if isinstance(value, date):  # date and datetime columns: the calendar day as written
        return value.isoformat()[:10]
    return str(value)


__all__ = ["SHARD_EXTS", "Task", "expand", "plan", "read_task"]
