"""`frontlines backfill` on a real Dask scheduler with two workers (loopback), on a LocalCluster, on SQLite and
PostgreSQL: the store ends up as a plain `ingest` of the same documents leaves it, and a re-run adds nothing.

Shards are made from the bundled example reports: two JSONL shards (one in a sub-folder, one with a line that is
not JSON and a line repeated from another shard) and a Parquet shard with small row groups.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
N_DOCS = 18  # of the example reports: enough for several tasks per worker, quick on two cores


def _rows() -> list[dict]:
    from frontlines.ingest.readers import read_sources
    from frontlines.records import Document

    docs = [d for d in read_sources([str(ROOT / "examples" / "afghanistan-2021")]) if isinstance(d, Document)]
    return [
        {
            "id": d.id,
            "text": d.text,
            "published": d.published.isoformat() if d.published else None,
            "title": d.title,
            "source": d.source,
            "url": d.url,
        }
        for d in docs[:N_DOCS]
    ]


@pytest.fixture(scope="module")
def shards(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    d = tmp_path_factory.mktemp("shards")
    rows = _rows()
    (d / "more").mkdir()
    with (d / "a.jsonl").open("w", encoding="utf-8") as f:
        for r in rows[:7]:
            f.write(json.dumps(r) + "\n")
        f.write("{this line is not JSON\n")
    with (d / "more" / "b.jsonl").open("w", encoding="utf-8") as f:
        for r in rows[7:12]:
            f.write(json.dumps(r) + "\n")
        f.write(json.dumps(rows[0]) + "\n")  # the same report again: stored and extracted once
    pq.write_table(pa.Table.from_pylist(rows[12:]), d / "c.parquet", row_group_size=2)
    # What a plain `ingest` reads: the same documents in one JSON Lines file.
    with (d / "all.jsonl").open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r) + "\n")
    return {"dir": d, "a": d / "a.jsonl", "more": d / "more", "c": d / "c.parquet", "all": d / "all.jsonl"}


def snapshot(url: str) -> dict:
    """What the store holds, in terms independent of row ids and write order."""
    from frontlines.store.db import open_store
    from frontlines.store.models import ClaimRow, DocumentRow, EventRow, EvidenceRow

    dt, et, ct = DocumentRow.__table__, EventRow.__table__, ClaimRow.__table__
    d, e, c = dt.c, et.c, ct.c
    with open_store(url) as store, store.engine.connect() as conn:
        docs = conn.execute(select(d.content_hash, d.doc_id, d.extractor_version)).all()
        events = conn.execute(
            select(d.content_hash, e.event_id).select_from(et.join(dt, d.id == e.document_id))
        ).all()
        claims = conn.execute(
            select(d.content_hash, c.claim_id).select_from(ct.join(dt, d.id == c.document_id))
        ).all()
        n_evidence = len(conn.execute(select(EvidenceRow.__table__.c.id)).all())
    return {
        "documents": sorted((h, i) for h, i, _ in docs),
        "versions": Counter(v for _, _, v in docs),
        "events": sorted(events),
        "claims": sorted(claims),
        "evidence": n_evidence,
    }


@pytest.fixture(scope="module")
def reference(shards: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A plain ingest of the same documents (in this process, SQLite)."""
    from frontlines.ingest.service import ingest
    from frontlines.store.db import open_store

    url = f"sqlite:///{tmp_path_factory.mktemp('ref') / 'ref.db'}"
    with open_store(url) as store:
        stats = ingest([str(shards["all"])], store)
    assert stats.rejected == 0 and stats.failed == 0
    snap = snapshot(url)
    assert len(snap["documents"]) == N_DOCS and snap["events"], "the reference run extracted nothing"
    return snap


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A `dask scheduler` and two `dask worker` processes (one thread each) on loopback, torn down after."""
    port = _free_port()
    addr = f"tcp://127.0.0.1:{port}"
    dask = str(BIN / "dask")
    procs = [
        subprocess.Popen(
            [dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    ]
    for _ in range(2):
        procs.append(
            subprocess.Popen(
                [dask, "worker", addr, "--nthreads", "1", "--nworkers", "1", "--no-dashboard"],
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
        )
    try:
        from distributed import Client

        with Client(addr, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        yield addr
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def backfill(*args: str, timeout: float = 240) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(BIN / "frontlines"), "backfill", *args, "--no-progress"],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def _sources(shards: dict[str, Path]) -> list[str]:
    return [str(shards["a"]), str(shards["more"]), str(shards["c"])]


def _check_like_reference(url: str, reference: dict, proc: subprocess.CompletedProcess[str]) -> None:
    assert proc.returncode == 1, proc.stderr  # the line that is not JSON
    assert f"{proc.args[2]}:8: invalid JSON" in proc.stderr, proc.stderr
    snap = snapshot(url)
    assert snap["documents"] == reference["documents"]
    assert snap["events"] == reference["events"]
    assert snap["claims"] == reference["claims"]
    assert snap["evidence"] == reference["evidence"]
    assert list(snap["versions"]) == list(reference["versions"])  # every document extracted, same version


def test_scheduler_two_workers_like_plain_ingest_and_rerun_adds_nothing(
    scheduler: str, shards: dict[str, Path], reference: dict, db_url: str
) -> None:
    proc = backfill(*_sources(shards), "--db", db_url, "--scheduler", scheduler, "--chunk-size", "3")
    _check_like_reference(db_url, reference, proc)
    assert f"{N_DOCS} new" in proc.stdout, proc.stdout

    before = snapshot(db_url)
    again = backfill(*_sources(shards), "--db", db_url, "--scheduler", scheduler, "--chunk-size", "3")
    assert again.returncode == 1, again.stderr  # the bad line is still bad
    assert "0 new" in again.stdout and " 0 extracted" in again.stdout, again.stdout
    assert snapshot(db_url) == before


def test_local_cluster_two_workers_like_plain_ingest(
    shards: dict[str, Path], reference: dict, tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'local.db'}"
    proc = backfill(
        *_sources(shards), "--db", url, "--workers", "2", "--chunk-size", "4", "--batch-size", "3"
    )
    _check_like_reference(url, reference, proc)
    assert "on 2 workers" in proc.stdout, proc.stdout


def test_resume_after_partial_store_extracts_only_the_rest(
    shards: dict[str, Path], reference: dict, tmp_path: Path
) -> None:
    """Documents stored but never extracted (a run killed between its two transactions) are extracted on
    the next run; documents already extracted are not extracted again."""
    from frontlines.ingest.service import ingest
    from frontlines.records import Document
    from frontlines.scale.sources import plan, read_task
    from frontlines.store.db import open_store

    url = f"sqlite:///{tmp_path / 'partial.db'}"
    with open_store(url) as store:
        ingest([str(shards["a"])], store)  # 7 extracted
        docs = [
            i for t in plan([str(shards["c"])], 100) for i in read_task(t, None) if isinstance(i, Document)
        ]
        store.add_documents(docs)  # stored, not extracted
    proc = backfill(*_sources(shards), "--db", url, "--workers", "1")
    _check_like_reference(url, reference, proc)
    # Seven from a.jsonl and the repeat of its first report in b.jsonl are not extracted again.
    assert "8 already extracted" in proc.stdout and f"{N_DOCS - 7} extracted" in proc.stdout, proc.stdout


def test_usage_errors(tmp_path: Path) -> None:
    from frontlines.scale.backfill import run_backfill

    url = f"sqlite:///{tmp_path / 'u.db'}"
    assert run_backfill(["x.jsonl"], db_url=url, workers=2, scheduler="tcp://127.0.0.1:1") == 2
    assert run_backfill(["x.jsonl"], db_url=url, workers=0) == 2
    assert run_backfill(["x.jsonl"], db_url=url, write="everyone") == 2
    assert run_backfill(["x.jsonl"], db_url=url, published="July 9") == 2
    assert run_backfill([], db_url=url) == 2


# ------------------------------------------------------------------------------------------ planning (no Dask)


def test_jsonl_tasks_cover_every_line_once_with_shard_line_numbers(tmp_path: Path) -> None:
    from frontlines.ingest.readers import Rejection
    from frontlines.records import Document
    from frontlines.scale.sources import plan, read_task

    p = tmp_path / "s.jsonl"
    lines = [json.dumps({"text": f"Report number {i} about a clash."}) for i in range(11)]
    lines[4] = "[1, 2]"  # valid JSON, not an object
    lines[6] = ""  # a blank line is skipped, as ingest skips it
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tasks = list(plan([str(p)], 4))
    assert [(t.first, t.count) for t in tasks] == [(1, 4), (5, 4), (9, 3)]
    items = [i for t in tasks for i in read_task(t, None)]
    docs = [i for i in items if isinstance(i, Document)]
    rejected = [i for i in items if isinstance(i, Rejection)]
    assert [r.origin for r in rejected] == [f"{p}:5"]
    # No `id` in the line: the doc id is the origin, numbered as in the shard, not in the task.
    assert [d.id for d in docs] == [f"{p}:{n}" for n in (1, 2, 3, 4, 6, 8, 9, 10, 11)]
    assert docs[-1].text == "Report number 10 about a clash."


def test_jsonl_tasks_match_the_shards_lines_whatever_the_chunk_and_ending(tmp_path: Path) -> None:
    from frontlines.scale.sources import plan

    for ending in (b"\n", b""):
        for n_lines in (1, 7, 8):
            lines = [json.dumps({"text": f"Line {i} " * (i + 1)}).encode() for i in range(n_lines)]
            p = tmp_path / f"e{n_lines}{len(ending)}.jsonl"
            p.write_bytes(b"\n".join(lines) + ending)
            starts = [0]
            for line in lines:
                starts.append(starts[-1] + len(line) + 1)
            for chunk in (1, 3, 4, 8, 50):
                tasks = list(plan([str(p)], chunk))
                assert sum(t.count for t in tasks) == n_lines
                assert [t.first for t in tasks] == list(range(1, n_lines + 1, chunk))
                assert [t.offset for t in tasks] == [starts[t.first - 1] for t in tasks]


def test_an_over_long_line_is_a_rejection_with_its_shard_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from frontlines import config
    from frontlines.ingest.readers import Rejection
    from frontlines.records import Document
    from frontlines.scale.sources import plan, read_task

    monkeypatch.setattr(config, "MAX_DOCUMENT_BYTES", 200)
    p = tmp_path / "long.jsonl"
    rows = [{"id": f"r{i}", "text": f"Short report {i}."} for i in range(6)]
    rows[4]["text"] = "word " * 100  # 500 bytes: over the limit
    p.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    items = [i for t in plan([str(p)], 3) for i in read_task(t, None)]
    assert [i.origin for i in items if isinstance(i, Rejection)] == [f"{p}:5"]
    assert [i.id for i in items if isinstance(i, Document)] == ["r0", "r1", "r2", "r3", "r5"]


def test_parquet_tasks_split_big_row_groups_and_join_small_ones(tmp_path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from frontlines.records import Document
    from frontlines.scale.sources import plan, read_task

    rows = [
        {"id": f"p{i}", "text": f"Item {i} reports shelling.", "published": "2021-07-0" + str(1 + i % 9)}
        for i in range(23)
    ]
    big, small = tmp_path / "big.parquet", tmp_path / "small.parquet"
    pq.write_table(pa.Table.from_pylist(rows), big, row_group_size=10)
    pq.write_table(pa.Table.from_pylist(rows), small, row_group_size=2)
    big_tasks = list(plan([str(big)], 4))
    assert all(t.count <= 4 for t in big_tasks)
    small_tasks = list(plan([str(small)], 5))
    assert all(len(t.row_groups) == 3 for t in small_tasks[:-1])
    for tasks in (big_tasks, small_tasks):
        docs = [i for t in tasks for i in read_task(t, None)]
        assert all(isinstance(d, Document) for d in docs)
        assert [d.id for d in docs] == [r["id"] for r in rows]
        assert [d.origin for d in docs] == [f"{tasks[0].path}:{n}" for n in range(1, 24)]
        assert str(docs[3].published) == rows[3]["published"]


def test_missing_and_foreign_sources_are_rejections(tmp_path: Path) -> None:
    from frontlines.ingest.readers import Rejection
    from frontlines.scale.sources import plan

    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    (tmp_path / "bad.parquet").write_bytes(b"not parquet at all")
    out = list(plan([str(tmp_path / "nope.jsonl"), str(tmp_path / "notes.txt"), str(tmp_path)], 10))
    assert all(isinstance(o, Rejection) for o in out)
    assert [o.reason.split(":")[0] for o in out] == [
        "no such file or directory",
        "not a backfill shard (.jsonl, .ndjson or .parquet)",
        "unreadable Parquet",
    ]


# ------------------------------------------------------------------------------------------ concurrent writers


def test_concurrent_writers_of_one_document_leave_one_extraction(db_url: str) -> None:
    """Workers that extracted the same text write it at the same moment: one extraction is stored. (Without
    the advisory locks, PostgreSQL kept two in 3 of 5 runs of these rounds.)"""
    from frontlines.records import Document, Event, Evidence
    from frontlines.scale.worker import Extracted, write_batch
    from frontlines.store.db import open_store

    def records(doc: Document) -> list:
        ev = Event(doc_id=doc.id, event_id=f"ev-{doc.id}", event_type="Battles")
        ev.evidence = [Evidence.of(doc, 0, 8, ["event_type"])]
        return [ev]

    open_store(db_url).close()  # migrate once
    stores = [open_store(db_url, migrate=False) for _ in range(4)]
    errors: list[BaseException] = []
    rounds = 8
    for r in range(rounds):
        text = f"Fighters attacked checkpoint {r} in the district on Monday, officials said."
        docs = [Document(id=f"same-{r}-{k}", text=text) for k in range(2)]
        barrier = threading.Barrier(len(stores))

        def run(k: int, docs: list[Document] = docs, barrier: threading.Barrier = barrier) -> None:
            try:
                barrier.wait()
                d = docs[k % 2]
                write_batch(stores[k], [Extracted(d, records(d))], "v-test")
            except BaseException as e:  # noqa: BLE001 - reported below
                errors.append(e)

        threads = [threading.Thread(target=run, args=(k,)) for k in range(len(stores))]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    for s in stores:
        s.close()
    assert not errors
    snap = snapshot(db_url)
    assert len(snap["documents"]) == rounds
    assert len(snap["events"]) == rounds and snap["evidence"] == rounds
