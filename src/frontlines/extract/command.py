"""`frontlines extract`: documents in, JSON Lines records out, no database."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import TextIO

from frontlines.records import Document


def _parse_published(value: str | None) -> date | None:
    if value is None:
        return None
    return date.fromisoformat(value)


def extract_command(
    paths: list[str], *, published: str | None, input_format: str = "auto", output: Path | None = None
) -> int:
    """Exit 0 on success, 1 when some document was rejected, 2 on unusable arguments."""
    from frontlines.ingest.readers import Rejection, read_sources

    try:
        default_published = _parse_published(published)
    except ValueError:
        print(f"frontlines: --published must be YYYY-MM-DD, got {published!r}", file=sys.stderr)
        return 2
    if input_format not in {"auto", "text", "html", "jsonl"}:
        print(
            f"frontlines: --input-format must be auto, text, html or jsonl, got {input_format!r}",
            file=sys.stderr,
        )
        return 2

    from frontlines.extract.pipeline import get_extractor

    extractor = get_extractor()
    rejected = 0

    def documents():
        nonlocal rejected
        for item in read_sources(paths, published=default_published, input_format=input_format):
            if isinstance(item, Rejection):
                rejected += 1
                print(f"frontlines: rejected {item.origin}: {item.reason}", file=sys.stderr)
                continue
            yield item

    out: TextIO
    close = False
    if output is None:
        out = sys.stdout
    else:
        out = open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed below
        close = True
    try:
        for _doc, records in _safe_pipe(extractor, documents()):
            if records is None:
                rejected += 1
                continue
            for rec in records:
                out.write(json.dumps(rec.to_dict(), ensure_ascii=False, default=str))
                out.write("\n")
            out.flush()
    finally:
        if close:
            out.close()
    return 1 if rejected else 0


def _safe_pipe(extractor, docs):
    """Batch through spaCy; if a batch fails, redo it one document at a time to name the bad one."""
    batch: list[Document] = []
    for d in docs:
        batch.append(d)
        if len(batch) >= 32:
            yield from _run_batch(extractor, batch)
            batch = []
    if batch:
        yield from _run_batch(extractor, batch)


def _run_batch(extractor, batch: list[Document]):
    try:
        results = list(extractor.pipe(batch))
    except Exception:  # noqa: BLE001 - isolate the failing document below
        for d in batch:
            try:
                yield d, extractor.extract(d)
            except Exception as exc:  # noqa: BLE001 - one broken document never stops a batch
                print(
                    f"frontlines: rejected {d.id}: extraction failed: {type(exc).__name__}: {exc}",
                    file=sys.stderr,
                )
                yield d, None
        return
    yield from results
