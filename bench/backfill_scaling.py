"""Backfill scaling from 1 to N Dask workers on the same corpus (a benchmark script, not a test).

    .venv/bin/python bench/backfill_scaling.py [--docs 400] [--shards 8] [--workers 1,2] [--seed 7]
                                               [--db postgresql+psycopg://...]

The corpus comes from bench/corpus.py (seeded, our own example reports). Each worker count runs
`frontlines backfill`'s own code (a LocalCluster of single-threaded worker processes) into a fresh store: a
temporary SQLite file (the driver writes), or with --db a PostgreSQL server (a fresh schema per run; the
workers write). Prints per run: wall time (and how much of it was planning and cluster start), articles/s,
words/s, speedup against 1 worker, the workers' CPU seconds per article (model load included: constant
across worker counts means the work itself scales, whatever else is running on the machine), and each
worker's peak RSS (the kernel's high-water mark, ru_maxrss = /proc VmHWM; goal <= 700 MB).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import documents, write_shards  # noqa: E402


def _pg_schema_url(url: str) -> tuple[str, str]:
    """A fresh schema on the server behind `url`, and the URL whose tables land in it."""
    import psycopg

    from frontlines.store.db import normalise_url

    name = f"bench_{uuid.uuid4().hex[:10]}"
    plain = normalise_url(url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{name}"')
    sep = "&" if "?" in url else "?"
    return name, f"{url}{sep}options=-csearch_path%3D{name}"


def _drop_schema(url: str, name: str) -> None:
    import psycopg

    from frontlines.store.db import normalise_url

    plain = normalise_url(url).replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument(
        "--workers", default=None, help="Comma-separated worker counts (default: 1 to the CPU count)."
    )
    ap.add_argument("--chunk-size", type=int, default=32)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--db", default=None, help="A PostgreSQL URL (default: a temporary SQLite file per run).")
    args = ap.parse_args()
    counts = (
        [int(x) for x in args.workers.split(",")]
        if args.workers
        else list(range(1, (os.cpu_count() or 1) + 1))
    )

    from rich.console import Console

    from frontlines.scale.backfill import backfill
    from frontlines.store.db import open_store

    quiet = Console(stderr=True, quiet=True)
    with tempfile.TemporaryDirectory() as tmp:
        shards = write_shards(Path(tmp) / "corpus", args.docs, args.shards, args.seed)
        n_words = sum(len(d.text.split()) for d in documents(args.docs, args.seed))
        print(
            f"corpus: {args.docs} articles, {n_words:,} words, {len(shards)} JSONL shards (seed {args.seed}); "
            f"{os.cpu_count()} CPUs; store: {'PostgreSQL' if args.db else 'SQLite'}"
        )
        print(
            f"{'workers':>7} {'wall s':>7} {'start s':>7} {'articles/s':>10} {'words/s':>9} "
            f"{'speedup':>7} {'CPU s/art':>9}  peak RSS per worker (MB)"
        )
        base = None
        for n in counts:
            schema = None
            if args.db:
                schema, url = _pg_schema_url(args.db)
            else:
                url = f"sqlite:///{tmp}/run-{n}.db"
            try:
                with open_store(url) as store:
                    st = backfill(
                        [str(p) for p in shards],
                        store,
                        db_url=url,
                        workers=n,
                        batch_size=args.batch_size,
                        chunk_size=args.chunk_size,
                        console=quiet,
                        progress=False,
                    )
            finally:
                if schema:
                    _drop_schema(args.db, schema)
            assert st.extracted == args.docs and st.rejected == 0, st.summary()
            rate = st.extracted / st.seconds
            base = base or rate
            rss = ", ".join(f"{v:,.0f}" for _, v in sorted(st.peak_rss_mb.items()))
            print(
                f"{n:>7} {st.seconds:7.1f} {st.cluster_s:7.1f} {rate:10.2f} {st.words / st.seconds:9,.0f} "
                f"{rate / base:7.2f} {sum(st.cpu_s.values()) / st.extracted:9.3f}  {rss}"
            )
    print(f"driver peak RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")
    # Other work on the machine skews wall-clock scaling; say how busy it was.
    print("load average (1, 5, 15 min) at the end: " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))


if __name__ == "__main__":
    main()
