"""Loopback load test of the API while an ingest writes into the same store.

    .venv/bin/python bench/load_test.py                      # builds a demo store in a temp folder
    .venv/bin/python bench/load_test.py --db sqlite:///.demo/demo.db --requests 2000 --concurrency 8

1. a demo store: `frontlines ingest examples/afghanistan-2021` (unless --db names an existing one);
2. `frontlines serve` on 127.0.0.1 over it;
3. `frontlines ingest` of more reports (the examples, each with a paragraph of our own added so the content
   is new) into the same store, started first and running while
4. a bounded number of requests (default 2,000, 8 at a time, at most --max-seconds) go to /api/events,
   /api/events/{id}, /api/control and /api/casualties.

Prints errors (any non-200 answer or failed request; must be 0), latency p50/p95/p99 per endpoint and
overall, and how much the ingest wrote during the load. Exit status 1 when there were errors or the ingest
was not running during the load.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text

REPO = Path(__file__).resolve().parent.parent
FRONTLINES = str(REPO / ".venv" / "bin" / "frontlines")
EXAMPLES = REPO / "examples" / "afghanistan-2021"
# Added to each example report so the ingest during the load stores new documents (our own wording).
FOLLOW_UPS = [
    "A provincial official repeated the account on Friday and said clearance work was continuing.",
    "Residents contacted by telephone described the roads out of the area as quiet by evening.",
    "A spokesman said an inquiry would report within the month.",
    "Aid groups said they were assessing needs in the surrounding villages.",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _counts(url: str) -> tuple[int, int]:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://", 1))
    try:
        with engine.connect() as c:
            docs = c.execute(text("SELECT count(*) FROM documents")).scalar_one()
            events = c.execute(text("SELECT count(*) FROM events")).scalar_one()
            return int(docs), int(events)
    finally:
        engine.dispose()


def _more_reports(out: Path, n: int) -> Path:
    """n new reports: the examples with a follow-up paragraph, as JSON Lines."""
    from frontlines.ingest.readers import read_sources
    from frontlines.records import Document

    base = [d for d in read_sources([str(EXAMPLES)]) if isinstance(d, Document)]
    path = out / "more.jsonl"
    with path.open("w", encoding="utf-8") as fh:
        for i in range(n):
            d = base[i % len(base)]
            body = f"{d.text}\n\n{FOLLOW_UPS[i % len(FOLLOW_UPS)]} (Follow-up {i + 1}.)"
            pub = d.published.isoformat() if d.published else None
            fh.write(json.dumps({"id": f"load-{i}", "text": body, "published": pub, "title": d.title}) + "\n")
    return path


def _wait_up(base: str, proc: subprocess.Popen[bytes], timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"frontlines serve exited with {proc.returncode}")
        try:
            if httpx.get(f"{base}/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.25)
    raise SystemExit("frontlines serve did not answer /api/health in time")


async def _load(
    base: str, n: int, concurrency: int, max_seconds: float, ids: list[int], seed: int
) -> tuple[dict[str, list[float]], list[str], float]:
    rng = random.Random(seed)
    paths = []
    for i in range(n):
        kind = i % 4
        if kind == 0:
            paths.append(("events", f"/api/events?limit=100&offset={rng.randrange(0, 200, 50)}"))
        elif kind == 1:
            paths.append(("events/{id}", f"/api/events/{rng.choice(ids)}"))
        elif kind == 2:
            paths.append(("control", "/api/control?geometry=false" if rng.random() < 0.5 else "/api/control"))
        else:
            paths.append(
                ("casualties", f"/api/casualties?by={rng.choice(['month', 'province', 'category'])}")
            )
    latencies: dict[str, list[float]] = defaultdict(list)
    errors: list[str] = []
    queue: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    for p in paths:
        queue.put_nowait(p)
    t0 = time.perf_counter()
    stop_at = t0 + max_seconds

    async def worker(client: httpx.AsyncClient) -> None:
        while time.perf_counter() < stop_at:
            try:
                name, path = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            t = time.perf_counter()
            try:
                r = await client.get(path)
                if r.status_code != 200:
                    errors.append(f"{path}: HTTP {r.status_code} {r.text[:200]}")
                else:
                    r.json()
            except (httpx.HTTPError, ValueError) as e:
                errors.append(f"{path}: {type(e).__name__}: {e}")
            latencies[name].append(time.perf_counter() - t)

    limits = httpx.Limits(max_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=30, limits=limits) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, errors, time.perf_counter() - t0


def _pct(xs: list[float], p: float) -> float:
    if len(xs) == 1:
        return xs[0]
    return statistics.quantiles(xs, n=100, method="inclusive")[int(p) - 1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--db", help="an existing store (default: a new demo store in a temp folder)")
    ap.add_argument("--requests", type=int, default=2000)
    ap.add_argument("--concurrency", type=int, default=8)
    ap.add_argument("--max-seconds", type=float, default=60.0)
    ap.add_argument("--more", type=int, default=60, help="reports the concurrent ingest adds")
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="frontlines-load-"))
    url = args.db or f"sqlite:///{tmp / 'demo.db'}"
    if not args.db:
        print(f"building the demo store {url} ...", file=sys.stderr, flush=True)
        r = subprocess.run([FRONTLINES, "ingest", str(EXAMPLES), "--db", url], capture_output=True, text=True)
        if r.returncode > 1:
            raise SystemExit(f"demo ingest failed: {r.stderr[-2000:]}")
    docs0, events0 = _counts(url)
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "FRONTLINES_DB": url}
    serve = subprocess.Popen(
        [FRONTLINES, "serve", "--db", url, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    ingest = None
    try:
        _wait_up(base, serve)
        ids = [e["id"] for e in httpx.get(f"{base}/api/events?limit=500", timeout=30).json()["items"]]
        if not ids:
            raise SystemExit("the store has no events to ask for")
        more = _more_reports(tmp, args.more)
        ingest = subprocess.Popen(
            [FRONTLINES, "ingest", str(more), "--db", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        while _counts(url)[0] == docs0 and ingest.poll() is None:  # load starts once the ingest is writing
            time.sleep(0.1)
        docs1, events1 = _counts(url)
        latencies, errors, took = asyncio.run(
            _load(base, args.requests, args.concurrency, args.max_seconds, ids, args.seed)
        )
        ingest_running = ingest.poll() is None
        docs2, events2 = _counts(url)
        out, err = ingest.communicate(timeout=900)
    finally:
        if ingest is not None and ingest.poll() is None:
            ingest.kill()
        serve.terminate()
        try:
            serve.wait(timeout=10)
        except subprocess.TimeoutExpired:
            serve.kill()
    done = sum(len(v) for v in latencies.values())
    allx = [x for v in latencies.values() for x in v]
    print(f"store: {url}")
    print(
        f"requests: {done} of {args.requests} in {took:.1f} s ({done / took:.0f}/s), {args.concurrency} concurrent"
    )
    print(f"errors: {len(errors)}")
    for e in errors[:10]:
        print(f"  {e}")
    print(f"{'endpoint':<14}{'n':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for name in ("events", "events/{id}", "control", "casualties"):
        xs = latencies.get(name, [])
        if xs:
            print(f"{name:<14}{len(xs):>6}" + "".join(f"{_pct(xs, p) * 1000:>9.1f}" for p in (50, 95, 99))
                  + f"{max(xs) * 1000:>9.1f}")  # fmt: skip
    if allx:
        print(f"{'all':<14}{len(allx):>6}" + "".join(f"{_pct(allx, p) * 1000:>9.1f}" for p in (50, 95, 99))
              + f"{max(allx) * 1000:>9.1f}")  # fmt: skip
    print(
        f"ingest during the load: documents {docs1} -> {docs2}, events {events1} -> {events2}; "
        f"still running when the load ended: {ingest_running}; its result: {out.decode().strip()} "
        f"(exit {ingest.returncode})"
    )
    if err.strip() and ingest.returncode not in (0,):
        print(err.decode()[-1000:])
    if done < args.requests:
        print(f"stopped at the time bound ({args.max_seconds:g} s) after {done} requests")
    ok = not errors and (ingest_running or docs2 > docs1 or events2 > events1)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
