"""API latency on a store of N synthetic events (issue 6: p95 <= 50 ms on PostgreSQL, <= 100 ms on SQLite).

One command from a fresh database (the store is generated once by bench/synthetic_events.py and reused when the
URL already holds the same generated store):

    .venv/bin/python bench/api_latency.py --events 1000000 --db sqlite:////tmp/fl-bench-1m.db
    .venv/bin/python bench/api_latency.py --events 1000000 --db 'postgresql+psycopg://postgres@/postgres?host=...'

Requests go in-process through FastAPI's TestClient (ASGI, no socket): the figures are the app's own time
(routing, queries, validation, JSON), without network or uvicorn. Each query kind gets `--requests` requests with
parameters drawn from a seeded generator (different dates, provinces, boxes, words, offsets, days), so caches
keyed by the parameters (control per day, counts per range) rarely hit. "cold" is the first request of a kind on
a freshly created app (its caches empty; the database's own cache as the previous kinds left it).
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from fastapi.testclient import TestClient  # noqa: E402
from synthetic_events import END, START, build  # noqa: E402

from frontlines import acled  # noqa: E402
from frontlines.api.app import create_app  # noqa: E402
from frontlines.geo.gazetteer import get_gazetteer  # noqa: E402

Request = tuple[str, dict[str, Any]]


def _day(rng: random.Random, span_after: int = 0) -> date:
    return START + timedelta(days=rng.randrange((END - START).days + 1 - span_after))


def query_kinds(n_events: int) -> dict[str, Callable[[random.Random], Request]]:
    """Query kind -> a function drawing one request (path, params) of that kind."""
    districts = [p for p in get_gazetteer().admin2_of("AFG") if p.code]
    provinces = sorted({p.admin1 for p in districts if p.admin1})

    def bbox(rng: random.Random) -> Request:
        d = rng.choice(districts)
        lon, lat = d.longitude or 69.2, d.latitude or 34.5
        box = f"{lon - 0.5:.3f},{lat - 0.5:.3f},{lon + 0.5:.3f},{lat + 0.5:.3f}"
        return "/api/events", {"bbox": box}

    def counts(rng: random.Random) -> Request:
        start = _day(rng, 400)
        end = start + timedelta(days=rng.randrange(90, 366))
        return "/api/control/counts", {"start": start.isoformat(), "end": end.isoformat(), "step_days": 7}

    return {
        "events: first page": lambda rng: ("/api/events", {}),
        "events: 30-day range": lambda rng: (
            "/api/events",
            {"date_from": (d := _day(rng, 30)).isoformat(), "date_to": (d + timedelta(days=30)).isoformat()},
        ),
        "events: admin1": lambda rng: ("/api/events", {"admin1": rng.choice(provinces)}),
        "events: event_type": lambda rng: ("/api/events", {"event_type": rng.choice(acled.EVENT_TYPES)}),
        "events: bbox 1x1 deg": bbox,
        "events: text q=district": lambda rng: ("/api/events", {"q": rng.choice(districts).name}),
        "events: deep page": lambda rng: ("/api/events", {"offset": rng.randrange(20_000, 100_000)}),
        "event detail": lambda rng: (f"/api/events/{rng.randrange(1, n_events + 1)}", {}),
        "control as_of (points)": lambda rng: ("/api/control", {"as_of": _day(rng).isoformat()}),
        "control/counts 90-365 d": counts,
    }


def _get(client: TestClient, req: Request) -> float:
    path, params = req
    t0 = time.perf_counter()
    r = client.get(path, params=params)
    ms = (time.perf_counter() - t0) * 1000
    if r.status_code != 200:
        raise SystemExit(f"{path} {params}: HTTP {r.status_code} {r.text[:200]}")
    return ms


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100 * (len(xs) - 1))))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--events", type=int, default=1_000_000)
    ap.add_argument("--db", required=True, help="SQLAlchemy URL (a fresh database, or one this made before)")
    ap.add_argument("--requests", type=int, default=200, help="requests per query kind")
    ap.add_argument("--seed", type=int, default=11)
    ap.add_argument("--only", help="run only the query kinds containing this text")
    ap.add_argument("--json", help="write the figures to this file")
    args = ap.parse_args()

    build(args.db, args.events).close()
    kinds = query_kinds(args.events)
    if args.only:
        kinds = {k: v for k, v in kinds.items() if args.only in k}
    rng = random.Random(args.seed)
    results: dict[str, dict[str, float]] = {}

    # Cold: a fresh app per kind, its first request.
    for name, draw in kinds.items():
        with TestClient(create_app(args.db)) as client:
            results[name] = {"cold_ms": _get(client, draw(rng))}

    # Warm: one app; `--requests` requests per kind (the first control request builds the timeline once per
    # store version: that is the cold figure, so one untimed request goes first).
    with TestClient(create_app(args.db)) as client:
        _get(client, ("/api/control", {"as_of": "2021-08-15"}))
        for name, draw in kinds.items():
            times = [_get(client, draw(rng)) for _ in range(args.requests)]
            results[name].update(
                p50_ms=statistics.median(times), p95_ms=_pct(times, 95), max_ms=max(times), n=len(times)
            )

    backend = "PostgreSQL" if args.db.startswith("postgres") else "SQLite"
    print(f"\n{backend}, {args.events:,} events, {args.requests} requests per kind (in-process TestClient)")
    print(f"{'query':28} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'cold ms':>9}")
    for name, r in results.items():
        print(f"{name:28} {r['p50_ms']:8.1f} {r['p95_ms']:8.1f} {r['max_ms']:8.1f} {r['cold_ms']:9.1f}")
    if args.json:
        Path(args.json).write_text(
            json.dumps({"backend": backend, "events": args.events, "results": results})
        )


if __name__ == "__main__":
    main()
