"""Crash safety of `frontlines ingest`: SIGKILL at seeded points and resume; concurrent ingests into one store.

The installed command runs as a subprocess on a JSON Lines corpus made from examples/afghanistan-2021 (our own
reports), with small storage batches so a run has many transactions to be killed between and inside. After
the kills, one more run finishes the work; the store must then hold exactly what an uninterrupted run stores:
every document once, every event and claim once, with the same evidence. SQLite and PostgreSQL both.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from frontlines.ingest.readers import read_sources
from frontlines.records import Document
from frontlines.store.db import normalise_url

REPO = Path(__file__).resolve().parent.parent
EXAMPLES = REPO / "examples" / "afghanistan-2021"
FRONTLINES = REPO / ".venv" / "bin" / "frontlines"
N_DOCS = 12
BATCH = 2  # documents per storage transaction in these runs: many commit points to die around
SEEDS = (7,)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not FRONTLINES.exists(), reason="the frontlines console script is not installed"),
]


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """all.jsonl (N_DOCS reports), and a.jsonl / b.jsonl, two halves that overlap by a third."""
    docs = [d for d in read_sources([str(EXAMPLES)]) if isinstance(d, Document)][:N_DOCS]
    assert len(docs) == N_DOCS

    def line(d: Document) -> str:
        pub = d.published.isoformat() if d.published else None
        return json.dumps({"id": Path(d.id).stem, "text": d.text, "published": pub, "title": d.title})

    out = tmp_path_factory.mktemp("crash-corpus")
    parts = {"all": docs, "a": docs[: 2 * N_DOCS // 3], "b": docs[N_DOCS // 3 :]}
    for name, ds in parts.items():
        (out / f"{name}.jsonl").write_text("".join(line(d) + "\n" for d in ds), encoding="utf-8")
    return {name: out / f"{name}.jsonl" for name in parts}


@pytest.fixture(scope="module", autouse=True)
def frozen_code(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Every run in this module imports one copy of the package taken now: the comparison with the baseline
    must not see the extractor change between runs (the working tree is edited while tests run)."""
    global _PYTHONPATH
    dest = tmp_path_factory.mktemp("frozen")
    shutil.copytree(
        REPO / "src" / "frontlines", dest / "frontlines", ignore=shutil.ignore_patterns("__pycache__")
    )
    _PYTHONPATH = str(dest)
    yield
    _PYTHONPATH = None


_PYTHONPATH: str | None = None


def _start(path: Path, url: str) -> subprocess.Popen[bytes]:
    env = {**os.environ, "FRONTLINES_INGEST_BATCH": str(BATCH)}
    if _PYTHONPATH:
        env["PYTHONPATH"] = _PYTHONPATH
    return subprocess.Popen(
        [str(FRONTLINES), "ingest", str(path), "--db", url],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _finish(p: subprocess.Popen[bytes], timeout: float = 600) -> tuple[int, str]:
    out, err = p.communicate(timeout=timeout)
    return p.returncode, (out + err).decode("utf-8", "replace")


def _progress(engine: Any) -> tuple[int, int]:
    """(documents stored, documents extracted) as another connection sees them now."""
    try:
        with engine.connect() as c:
            row = c.execute(text("SELECT count(*), count(extracted_at) FROM documents")).one()
            return int(row[0]), int(row[1])
    except SQLAlchemyError:  # the schema is not there yet
        return 0, 0


def snapshot(url: str) -> dict[str, Counter[Any]]:
    """The store's content keyed by content, not row ids: documents, events, claims, evidence, with counts."""
    engine = create_engine(normalise_url(url))
    try:
        with engine.connect() as c:
            # Values as text: SQLite hands dates back as strings, PostgreSQL as dates.
            q = lambda sql: [tuple(None if v is None else str(v) for v in r) for r in c.execute(text(sql))]  # noqa: E731
            return {
                "documents": Counter(q("SELECT content_hash FROM documents")),
                "unextracted": Counter(q("SELECT content_hash FROM documents WHERE extracted_at IS NULL")),
                "events": Counter(
                    q(
                        "SELECT d.content_hash, e.event_id, e.event_type, e.sub_event_type, e.event_date, "
                        "e.location, e.actor1, e.fatalities FROM events e JOIN documents d ON d.id = e.document_id"
                    )
                ),
                "claims": Counter(
                    q(
                        "SELECT d.content_hash, c.claim_id, c.metric, c.value FROM claims c "
                        "JOIN documents d ON d.id = c.document_id"
                    )
                ),
                "evidence": Counter(
                    q(
                        'SELECT coalesce(e.event_id, c.claim_id), v."start", v."end" FROM evidence v '
                        "LEFT JOIN events e ON e.id = v.event_id LEFT JOIN claims c ON c.id = v.claim_id"
                    )
                ),
            }
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def baseline(corpus: dict[str, Path], tmp_path_factory: pytest.TempPathFactory) -> dict[str, Counter[Any]]:
    url = f"sqlite:///{tmp_path_factory.mktemp('baseline') / 'store.db'}"
    rc, out = _finish(_start(corpus["all"], url))
    assert rc == 0, out
    snap = snapshot(url)
    assert sum(snap["documents"].values()) == N_DOCS and not snap["unextracted"]
    assert sum(snap["events"].values()) > 10 and sum(snap["claims"].values()) > 0  # a corpus worth testing
    return snap


def _assert_same(got: dict[str, Counter[Any]], want: dict[str, Counter[Any]]) -> None:
    for key in ("documents", "events", "claims", "evidence"):
        dup = {k: n for k, n in got[key].items() if n > want[key].get(k, 0)}
        lost = {k: n for k, n in want[key].items() if got[key].get(k, 0) < n}
        assert not dup and not lost, (
            f"{key}: {sum(got[key].values())} stored, {sum(want[key].values())} in the uninterrupted run; "
            f"extra or duplicated {list(dup)[:2]}, lost {list(lost)[:2]}"
        )
    assert not got["unextracted"], f"documents left unextracted: {len(got['unextracted'])}"


@pytest.mark.parametrize("seed", SEEDS)
def test_sigkill_and_resume_loses_and_duplicates_nothing(
    db_url: str, corpus: dict[str, Path], baseline: dict[str, Counter[Any]], seed: int
) -> None:
    """Kill at seeded points (after k documents stored, or after k extracted, plus a random delay so some
    kills land inside a transaction), resume each time, then finish: the store equals the baseline."""
    rng = random.Random(seed)
    engine = create_engine(normalise_url(db_url))
    kills: list[tuple[str, int, tuple[int, int] | str]] = []
    try:
        for _ in range(3):
            stage = rng.choice(["stored", "extracted"])
            stored, extracted = _progress(engine)
            if extracted >= N_DOCS - 1:
                break
            base = stored if stage == "stored" else extracted
            at = min(N_DOCS if stage == "stored" else N_DOCS - 1, base + rng.randint(1, 2 * BATCH))
            p = _start(corpus["all"], db_url)
            deadline = time.monotonic() + 300
            while p.poll() is None and time.monotonic() < deadline:
                now = _progress(engine)
                if (now[0] if stage == "stored" else now[1]) >= at:
                    break
                time.sleep(0.01)
            time.sleep(rng.uniform(0, 0.3))
            if p.poll() is not None:  # it finished first: not a kill, say so
                kills.append((stage, at, f"ended rc={_finish(p)[0]}"))
                continue
            p.send_signal(signal.SIGKILL)
            p.wait()
            assert p.returncode == -signal.SIGKILL
            kills.append((stage, at, _progress(engine)))
        rc, out = _finish(_start(corpus["all"], db_url))
        assert rc == 0, out
    finally:
        engine.dispose()
    assert sum(1 for k in kills if not isinstance(k[2], str)) >= 2, kills
    print(f"seed {seed}: kills (stage, target, (stored, extracted) after kill): {kills}")
    _assert_same(snapshot(db_url), baseline)


def test_concurrent_ingests_overlapping_inputs(
    db_url: str, corpus: dict[str, Path], baseline: dict[str, Counter[Any]]
) -> None:
    """Two processes ingest overlapping files into one store at once: each document once, its events once,
    and neither run fails."""
    a = _start(corpus["a"], db_url)
    b = _start(corpus["b"], db_url)
    (rc_a, out_a), (rc_b, out_b) = _finish(a), _finish(b)
    assert (rc_a, rc_b) == (0, 0), (out_a, out_b)
    _assert_same(snapshot(db_url), baseline)
