"""Throughput of frontlines against bare spaCy on the same corpus (a benchmark script, not a test).

    .venv/bin/python bench/throughput.py [--docs 400] [--seed 7] [--rounds 3]

The corpus is generated deterministically from the demo reports: each synthetic article is a seeded
shuffle of paragraphs drawn from the bundled reports (bench/corpus.py's paragraphs; drawn here without
its datelines, so figures stay comparable with earlier runs), the same on every machine. Prints words/s
for bare `nlp.pipe` (same model, all components), for extraction, and for extraction plus storing into a
fresh SQLite store; the ratios against bare spaCy; peak RSS; and the wall time of a
cold `frontlines extract` of one article in a new process. The three throughputs are timed side by side,
a slice of the corpus at a time, and summed per round; medians are printed, and each ratio is the median
of the rounds' own ratios.
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from statistics import median

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from corpus import paragraphs as demo_paragraphs  # noqa: E402

from frontlines.records import Document  # noqa: E402


def corpus(n_docs: int, seed: int) -> list[Document]:
    paragraphs = demo_paragraphs()
    rng = random.Random(seed)
    docs = []
    for i in range(n_docs):
        k = rng.randint(4, 9)
        text = "\n\n".join(rng.sample(paragraphs, k))
        docs.append(
            Document(
                id=f"bench-{i}",
                text=text,
                published=date(2021, 7, 1) + (date(2021, 8, 1) - date(2021, 7, 1)) * (i % 7) // 7,
            )
        )
    return docs


def words(docs: list[Document]) -> int:
    return sum(len(d.text.split()) for d in docs)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--docs", type=int, default=400)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--rounds", type=int, default=3, help="timed rounds; medians are reported")
    ap.add_argument("--slice", type=int, default=20, help="articles per timed slice (see below)")
    args = ap.parse_args()

    import spacy

    from frontlines.config import SPACY_MODEL
    from frontlines.extract.pipeline import Extractor
    from frontlines.ingest.service import ingest
    from frontlines.store.db import open_store

    docs = corpus(args.docs, args.seed)
    n_words = words(docs)
    print(f"corpus: {len(docs)} articles, {n_words:,} words (seed {args.seed}), {args.rounds} rounds")

    bare = spacy.load(SPACY_MODEL)
    list(bare.pipe([d.text for d in docs[:20]]))  # warm up
    extractor = Extractor()
    list(extractor.pipe(docs[:20]))  # warm up (gazetteer, lexicons)

    def time_bare(part: list[Document]) -> float:
        t = time.perf_counter()
        for _ in bare.pipe((d.text for d in part), batch_size=args.batch_size):
            pass
        return time.perf_counter() - t

    def time_extract(part: list[Document]) -> tuple[float, int]:
        t = time.perf_counter()
        n = sum(len(recs) for _, recs in extractor.pipe(part, batch_size=args.batch_size))
        return time.perf_counter() - t, n

    def time_store(src: Path, store: object) -> tuple[float, object]:
        t = time.perf_counter()
        stats = ingest([str(src)], store, extractor=extractor)
        return time.perf_counter() - t, stats

    # The three are timed slice by slice (`--slice` articles, a few seconds each), in an order that
    # rotates from slice to slice, and summed per round. On a shared machine the speed drifts within a
    # minute; timed side by side, a slow spell slows all three alike, and the round's ratios hold.
    slices = [docs[i : i + args.slice] for i in range(0, len(docs), args.slice)]
    bare_t, ext_t, store_t = [], [], []
    n_records, events, claims = 0, 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        paths = []
        for k, part in enumerate(slices):
            src = Path(tmp) / f"bench-{k}.jsonl"
            with src.open("w", encoding="utf-8") as f:
                for d in part:
                    row = {"id": d.id, "text": d.text, "published": d.published.isoformat()}
                    f.write(json.dumps(row) + "\n")
            paths.append(src)
        for r in range(args.rounds):
            store = open_store(f"sqlite:///{tmp}/bench-{r}.db")
            b = e = s = 0.0
            n_records = events = claims = 0
            for k, (part, src) in enumerate(zip(slices, paths, strict=True)):
                for kind in [("bare", "extract", "store")[(k + r + j) % 3] for j in range(3)]:
                    if kind == "bare":
                        b += time_bare(part)
                    elif kind == "extract":
                        dt, n = time_extract(part)
                        e += dt
                        n_records += n
                    else:
                        dt, stats = time_store(src, store)
                        s += dt
                        events += stats.events
                        claims += stats.claims
            store.close()
            bare_t.append(b)
            ext_t.append(e)
            store_t.append(s)
            print(f"  round {r + 1}: bare {b:.2f} s, extract {e:.2f} s, extract + store {s:.2f} s")
    b, e, s = median(bare_t), median(ext_t), median(store_t)
    ext_ratio = median(bt / et for bt, et in zip(bare_t, ext_t, strict=True))
    store_ratio = median(bt / st for bt, st in zip(bare_t, store_t, strict=True))
    print(f"bare spaCy nlp.pipe:   {n_words / b:9,.0f} words/s  {len(docs) / b:7.1f} articles/s")
    print(
        f"extract:               {n_words / e:9,.0f} words/s  {len(docs) / e:7.1f} articles/s"
        f"  ({n_records} records)  ratio to bare spaCy {ext_ratio:.2f}"
    )
    print(
        f"extract + store:       {n_words / s:9,.0f} words/s  {len(docs) / s:7.1f} articles/s"
        f"  ({events} events, {claims} claims)  ratio to bare spaCy {store_ratio:.2f}"
    )
    print(f"peak RSS: {rss_mb():,.0f} MB")

    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one.md"
        one.write_text(f"---\npublished: 2021-07-10\n---\n{docs[0].text}\n", encoding="utf-8")
        exe = ROOT / ".venv" / "bin" / "frontlines"
        cold = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            subprocess.run([str(exe), "extract", str(one)], check=True, capture_output=True)
            cold.append(time.perf_counter() - t)
        print(
            f"cold `frontlines extract` of one article: median {median(cold):.2f} s "
            f"(min {min(cold):.2f}, max {max(cold):.2f}, {len(cold)} runs)"
        )


if __name__ == "__main__":
    main()
