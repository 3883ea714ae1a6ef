"""The long fuzz run: the properties of tests/test_fuzz.py over >= 100k generated inputs.

    .venv/bin/python scripts/fuzz.py               # ~100k inputs to the readers, 1,000 to the extractor
    .venv/bin/python scripts/fuzz.py --scale 0.1 --extract 100   # a quick look

Every generated file, JSON Lines line and feed entry counts as one input, and every text given to the
extractor. A property that fails on an input is counted as a crash (with the first such input kept in the
report) and the run goes on; it exits 1 when anything crashed. Known extractor crashes (listed in
tests/test_fuzz.py) are counted apart.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
import traceback
import warnings
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
import test_fuzz as fz  # noqa: E402  (the strategies and checks live with the CI tests)

CRASHES: Counter[str] = Counter()
FIRST: dict[str, str] = {}


def _guard(name: str, check: Callable[..., Any], *args: Any) -> None:
    try:
        check(*args)
    except Exception as e:
        key = f"{name}: {type(e).__name__}: {str(e)[:120]}"
        CRASHES[key] += 1
        FIRST.setdefault(key, f"{args[1:]!r}"[:400] + "\n" + traceback.format_exc(limit=-2)[-1500:])


def _run(name: str, n: int, strategy: st.SearchStrategy[Any], check: Callable[..., Any], tmp: Path) -> float:
    """Run `check(tmp, *example)` on `n` generated examples; seconds taken."""
    done = 0

    @settings(
        max_examples=n,
        deadline=None,
        database=None,
        phases=[Phase.generate],  # no shrinking: a crash is counted and kept, the run goes on
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def prop(example: tuple[Any, ...]) -> None:
        nonlocal done
        _guard(name, check, tmp, *example)
        done += 1
        if done % 2000 == 0:
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            print(f"  {name}: {done:,}/{n:,}", file=sys.stderr, flush=True)

    t = time.perf_counter()
    prop()
    return time.perf_counter() - t


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply the reader example counts")
    ap.add_argument("--extract", type=int, default=1000, help="texts given to the extractor")
    args = ap.parse_args()
    warnings.simplefilter("ignore")
    k = args.scale
    tmp = Path(tempfile.mkdtemp(prefix="frontlines-fuzz-"))
    plan: list[tuple[str, int, st.SearchStrategy[Any], Callable[..., Any]]] = [
        ("random bytes", int(25_000 * k), st.tuples(st.sampled_from(fz.EXTS).map("f.{}".format), st.binary(max_size=3000)), fz.check_file),
        ("random unicode", int(20_000 * k), st.tuples(st.sampled_from(fz.EXTS).map("f.{}".format),
            st.one_of(fz.prose, st.text(max_size=3000)).map(lambda t: t.encode("utf-8", "surrogatepass"))), fz.check_file),
        ("jsonl batches", int(8_000 * k), st.tuples(st.lists(st.one_of(fz.good_line, fz.bad_line), min_size=1, max_size=12)), fz.check_jsonl_batch),
        ("feeds", int(5_000 * k), st.tuples(st.lists(fz.feed_entry, min_size=1, max_size=5), st.booleans(),
            st.one_of(st.none(), st.integers(0, 3000))), fz.check_feed),
        ("nested html", int(200 * k), st.tuples(st.just("deep.html"), st.builds(fz.nested_html, st.integers(1, 60_000),
            st.sampled_from(["div", "b", "span", "table", "p", "li"]), fz.prose)), fz.check_file),
    ]  # fmt: skip
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    try:
        for name, n, strategy, check in plan:
            print(f"{name}: {n:,} examples", file=sys.stderr, flush=True)
            timings[name] = _run(name, n, strategy, check, tmp)
        if args.extract:
            from datetime import date

            from frontlines.extract.pipeline import get_extractor

            ex = get_extractor()
            print(f"extraction: {args.extract:,} texts", file=sys.stderr, flush=True)
            dates = st.sampled_from([date(2021, 7, 9), date(1800, 1, 1), date(2200, 12, 31), None])
            timings["extraction"] = _run(
                "extraction",
                args.extract,
                st.tuples(fz.report_text, dates),
                lambda _tmp, text, pub: fz.check_extraction(ex, text, pub),
                tmp,
            )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    total = time.perf_counter() - t0
    stats = fz.STATS
    inputs = sum(v for key, v in stats.items() if key.startswith("inputs: "))
    print(f"\ninputs: {inputs:,} in {total:.0f} s")
    for key in sorted(s for s in stats if s.startswith("inputs: ")):
        print(f"  {key[8:]:<20} {stats[key]:>9,}")
    print(f"read as documents: {stats['read ok']:,}")
    rejected = {key[10:]: v for key, v in stats.items() if key.startswith("rejected: ")}
    print(f"rejections: {sum(rejected.values()):,}")
    for reason, v in sorted(rejected.items(), key=lambda kv: -kv[1]):
        print(f"  {v:>9,}  {reason}")
    for key in sorted(s for s in stats if s.startswith("extract: ")):
        print(f"{key}: {stats[key]:,}")
    print("seconds per part: " + ", ".join(f"{n} {s:.0f}" for n, s in timings.items()))
    print(f"crashes: {sum(CRASHES.values())}")
    for key, v in CRASHES.most_common():
        print(f"  {v:>6,}  {key}\n{FIRST[key]}")
    return 1 if CRASHES else 0


if __name__ == "__main__":
    sys.exit(main())
