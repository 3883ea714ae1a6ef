"""The deterministic benchmark corpus, shared by the benchmark scripts (and the backfill crash test).

    .venv/bin/python bench/corpus.py OUT_DIR [--docs 2000] [--shards 8] [--seed 7]

Each synthetic article is a seeded draw of 4-9 paragraphs from the bundled demo reports
(examples/afghanistan-2021, written by us), headed by a dateline built from a template, so the text reads like
a wire report and exercises every extractor component. The same seed gives byte-identical shards on any
machine. Shards are JSON Lines with the contract's fields (id, text, published, title, source, url).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from frontlines.ingest.readers import read_sources  # noqa: E402
from frontlines.records import Document  # noqa: E402

EXAMPLES = ROOT / "examples" / "afghanistan-2021"
# Dateline cities and headline templates: ours, for variety in the first sentence and the title.
CITIES = ("KABUL", "KANDAHAR", "HERAT", "MAZAR-I-SHARIF", "KUNDUZ", "LASHKAR GAH", "JALALABAD", "GHAZNI")
TITLES = (
    "Fighting reported in {city}",
    "Officials describe clashes near {city}",
    "Round-up: the war in Afghanistan, {day}",
    "Residents of {city} report new attacks",
)
START, DAYS = date(2021, 5, 1), 107  # May 1 to Aug 15, 2021


def paragraphs() -> list[str]:
    """The demo reports' paragraphs of more than 12 words, in file order."""
    reports = [d for d in read_sources([str(EXAMPLES)]) if isinstance(d, Document)]
    return [p for d in reports for p in d.text.split("\n\n") if len(p.split()) > 12]


def documents(n_docs: int, seed: int = 7) -> Iterator[Document]:
    """`n_docs` synthetic articles, the same for the same seed."""
    paras = paragraphs()
    rng = random.Random(seed)
    for i in range(n_docs):
        day = START + timedelta(days=rng.randrange(DAYS))
        city = rng.choice(CITIES)
        body = "\n\n".join(rng.sample(paras, rng.randint(4, 9)))
        text = f"{city}, {day:%B} {day.day}, {day.year} — {body}"
        title = rng.choice(TITLES).format(city=city.title(), day=f"{day:%d %B %Y}")
        yield Document(
            id=f"bench-{seed}-{i:07d}",
            text=text,
            published=day,
            title=title,
            source="frontlines synthetic bench corpus",
            url=f"https://example.org/frontlines-bench/{seed}/{i}",
        )


def write_shards(out: Path, n_docs: int, shards: int, seed: int = 7) -> list[Path]:
    """Write the corpus as `shards` JSONL files (round-robin), streaming; returns their paths."""
    out.mkdir(parents=True, exist_ok=True)
    paths = [out / f"shard-{k:04d}.jsonl" for k in range(shards)]
    files = [p.open("w", encoding="utf-8") for p in paths]
    try:
        for i, d in enumerate(documents(n_docs, seed)):
            row = {
                "id": d.id,
                "text": d.text,
                "published": d.published.isoformat() if d.published else None,
                "title": d.title,
                "source": d.source,
                "url": d.url,
            }
            files[i % shards].write(json.dumps(row, ensure_ascii=False) + "\n")
    finally:
        for f in files:
            f.close()
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path)
    ap.add_argument("--docs", type=int, default=2000)
    ap.add_argument("--shards", type=int, default=8)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    paths = write_shards(args.out, args.docs, args.shards, args.seed)
    print(f"wrote {args.docs} articles in {len(paths)} shards to {args.out}")


if __name__ == "__main__":
    main()
