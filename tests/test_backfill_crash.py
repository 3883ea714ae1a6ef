"""Crash safety of `frontlines backfill`: SIGKILL it (driver, Dask workers and all) at seeded random moments while
it writes, resume, and compare with an uninterrupted run: zero lost, zero duplicated documents and events, on
SQLite and PostgreSQL.

The corpus is the benchmark's own (bench/corpus.py, seeded). Kill points are drawn with a fixed seed as a number of
documents written (plus a fraction of a second, so a kill can land inside a write transaction): measured by
progress, not by wall time, so they stay inside the run however loaded the machine is.
"""

from __future__ import annotations

import contextlib
import importlib.util
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from frontlines.store.db import normalise_url

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DOCS, SHARDS, SEED = 16, 2, 11
KILLS = 2  # per backend
RUN_ARGS = ("--workers", "1", "--chunk-size", "2", "--batch-size", "2", "--no-progress")


def _corpus_module():
    spec = importlib.util.spec_from_file_location("bench_corpus", ROOT / "bench" / "corpus.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    out = tmp_path_factory.mktemp("crash-corpus")
    return [str(p) for p in _corpus_module().write_shards(out, DOCS, SHARDS, SEED)]


def _start(shards: list[str], url: str) -> subprocess.Popen[str]:
    # A session of its own: the kill takes the driver and the LocalCluster's worker processes together,
    # as a crash of the machine or container would.
    return subprocess.Popen(
        [str(BIN / "frontlines"), "backfill", *shards, "--db", url, *RUN_ARGS],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        start_new_session=True,
    )


def _extracted(url: str) -> int:
    """Documents with a stored extraction (0 while the schema is not there yet)."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT count(*) FROM documents WHERE extracted_at IS NOT NULL")
            ).scalar_one()
    except Exception:  # noqa: BLE001 - not migrated yet, or locked for a moment
        return 0
    finally:
        engine.dispose()


def _wait_written(proc: subprocess.Popen[str], url: str, n: int, timeout: float = 300) -> None:
    """Until `n` documents have a stored extraction (or the run ended)."""
    t0 = time.perf_counter()
    while proc.poll() is None and time.perf_counter() - t0 < timeout:
        if _extracted(url) >= n:
            return
        time.sleep(0.05)


def _settled_count(url: str) -> int:
    """The extracted count once it stops moving: a server may still be finishing a commit that a killed
    client sent just before it died."""
    last = _extracted(url)
    while True:
        time.sleep(0.5)
        now = _extracted(url)
        if now == last:
            return now
        last = now


def _group_alive(pgid: int) -> list[int]:
    alive = []
    for p in Path("/proc").iterdir():
        if p.name.isdigit():
            try:
                fields = (p / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                alive.append(int(p.name))
    return alive


def snapshot(url: str) -> dict:
    from frontlines.store.models import ClaimRow, DocumentRow, EventRow, EvidenceRow

    dt, et, ct = DocumentRow.__table__, EventRow.__table__, ClaimRow.__table__
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as conn:
            docs = conn.execute(select(dt.c.content_hash, dt.c.doc_id, dt.c.extractor_version)).all()
            events = conn.execute(
                select(dt.c.content_hash, et.c.event_id).select_from(et.join(dt, dt.c.id == et.c.document_id))
            ).all()
            claims = conn.execute(
                select(dt.c.content_hash, ct.c.claim_id).select_from(ct.join(dt, dt.c.id == ct.c.document_id))
            ).all()
            evidence = conn.execute(select(func.count()).select_from(EvidenceRow.__table__)).scalar_one()
    finally:
        engine.dispose()
    return {
        "documents": sorted((h, i) for h, i, _ in docs),
        "unextracted": sum(1 for *_, v in docs if v is None),
        "events": sorted(events),
        "claims": sorted(claims),
        "evidence": evidence,
    }


@pytest.fixture(scope="module")
def reference(shards: list[str], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """What an uninterrupted run stores."""
    url = f"sqlite:///{tmp_path_factory.mktemp('crash-ref') / 'ref.db'}"
    proc = _start(shards, url)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    snap = snapshot(url)
    assert len(snap["documents"]) == DOCS and snap["unextracted"] == 0 and snap["events"], out
    return snap


def test_sigkill_at_random_points_then_resume_loses_and_duplicates_nothing(
    db_url: str, shards: list[str], reference: dict
) -> None:
    rng = random.Random(f"backfill-crash-{db_url.split(':')[0]}")
    partial = []
    for _ in range(KILLS):
        proc = _start(shards, db_url)
        _wait_written(proc, db_url, (partial[-1] if partial else 0) + rng.randint(1, DOCS // 4))
        time.sleep(rng.uniform(0.0, 0.3))
        with contextlib.suppress(ProcessLookupError):  # a run that got to its end first is checked below
            os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate(timeout=60)
        deadline = time.time() + 10
        while _group_alive(proc.pid) and time.time() < deadline:
            time.sleep(0.1)
        assert not _group_alive(proc.pid), "a worker process outlived the kill"
        partial.append(_settled_count(db_url))

    resumed = _start(shards, db_url)
    out, err = resumed.communicate(timeout=600)
    assert resumed.returncode == 0, err
    snap = snapshot(db_url)
    ref = reference
    assert snap["documents"] == ref["documents"], "documents lost or duplicated"
    assert snap["unextracted"] == 0
    assert snap["events"] == ref["events"], "events lost or duplicated"
    assert snap["claims"] == ref["claims"]
    assert snap["evidence"] == ref["evidence"]
    # The kills interrupted real work: some run stopped with part of the corpus written, and the resumed
    # run did not redo what was already there.
    assert any(0 < n < DOCS for n in partial), partial
    m = re.search(r"(\d+) already extracted, (\d+) extracted", out)
    assert m and int(m[1]) >= partial[-1] and int(m[1]) + int(m[2]) == DOCS, (partial, out)
