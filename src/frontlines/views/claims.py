"""`frontlines claims`: aggregate claims grouped by metric and period, conflicting figures side by side.

Grouping: a claim's period is its `period_start..period_end` when it states one, else the month of its `as_of`
("2021-07"), so figures given the same month meet; undated claims share the period "undated".

Disagreement: each figure becomes an interval (`low..high`, else the value; "at least"/"more than" open it upwards,
"at most"/"up to"/"fewer than" downwards, "about"/"nearly"/"roughly" widen it by 10%). Two claims disagree when
their intervals, each widened by 10% of its magnitude, do not overlap: two point figures therefore disagree when
they differ by more than about 10%. Figures compare in the same unit, or as shares when one is a percentage and the
other a count out of a stated total ("150 of roughly 400 districts" is 37.5%).
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections import defaultdict
from collections.abc import Iterable
from typing import Annotated, Any

import typer

from frontlines.config import DbOption
from frontlines.records import Claim
from frontlines.store.repository import Store

TOLERANCE = 0.10
_UPWARD = {"at least", "more than", "over", "above", "upwards of", "no fewer than", "in excess of"}
_DOWNWARD = {"at most", "up to", "fewer than", "less than", "under", "below", "no more than"}
_APPROX = {"about", "nearly", "around", "roughly", "approximately", "almost", "some", "close to"}


def period_of(c: Claim) -> str:
    if c.period_start or c.period_end:
        return f"{c.period_start or '?'}..{c.period_end or '?'}"
    if c.as_of:
        return c.as_of[:7]
    return "undated"


def _interval(lo: float, hi: float, qualifier: str | None) -> tuple[float, float]:
    q = (qualifier or "").strip().lower()
    if q in _UPWARD:
        hi = math.inf
    elif q in _DOWNWARD:
        lo = -math.inf
    elif q in _APPROX:
        lo, hi = lo * (1 - TOLERANCE), hi * (1 + TOLERANCE)
    return lo, hi


def _figures(c: Claim) -> dict[str, tuple[float, float]]:
    """The claim's interval in its own unit and, where it can be had, as a percentage share."""
    if c.value is None and c.low is None and c.high is None:
        return {}
    lo = c.low if c.low is not None else c.value
    hi = c.high if c.high is not None else c.value
    lo = hi if lo is None else lo
    hi = lo if hi is None else hi
    out = {f"unit:{c.unit or ''}": _interval(lo, hi, c.qualifier)}  # type: ignore[arg-type]
    if (c.unit or "").lower() in ("percent", "%"):
        out["share"] = out[f"unit:{c.unit or ''}"]
    elif c.of:
        out["share"] = _interval(lo * 100 / c.of, hi * 100 / c.of, c.qualifier)  # type: ignore[operator]
    return out


def _widen(iv: tuple[float, float]) -> tuple[float, float]:
    lo, hi = iv
    return lo - abs(lo) * TOLERANCE / 2, hi + abs(hi) * TOLERANCE / 2


def disagree(a: Claim, b: Claim) -> bool | None:
    """Whether two claims' figures disagree; None when they cannot be compared (different units, no figure)."""
    fa, fb = _figures(a), _figures(b)
    common = [k for k in fa if k in fb and k.startswith("unit:")] or [k for k in fa if k in fb]
    if not common:
        return None
    (alo, ahi), (blo, bhi) = _widen(fa[common[0]]), _widen(fb[common[0]])
    return ahi < blo or bhi < alo


def _claim_row(c: Claim) -> dict[str, Any]:
    share = _figures(c).get("share")
    return {
        "claimant": c.claimant,
        "subject": c.subject,
        "value": c.value,
        "low": c.low,
        "high": c.high,
        "unit": c.unit,
        "of": c.of,
        "share_percent": round(share[0], 1) if share and share[0] == share[1] else None,
        "qualifier": c.qualifier,
        "as_of": c.as_of,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "certainty": c.certainty,
        "doc_id": c.doc_id,
        "claim_id": c.claim_id,
        "evidence": [e.text for e in c.evidence],
    }


def group_claims(claims: Iterable[Claim]) -> list[dict[str, Any]]:
    """Claims grouped by (metric, period), each group's figures side by side with their disagreements."""
    groups: dict[tuple[str, str], list[Claim]] = defaultdict(list)
    for c in claims:
        groups[(c.metric or "unknown", period_of(c))].append(c)
    out = []
    for (metric, period), members in sorted(groups.items()):
        members.sort(key=lambda c: (c.value is None, c.value or 0, c.claimant or "", c.doc_id, c.claim_id))
        pairs = []
        for i in range(len(members)):
            for j in range(i + 1, len(members)):
                if disagree(members[i], members[j]):
                    pairs.append([i, j])
        out.append(
            {
                "metric": metric,
                "period": period,
                "claims": [_claim_row(c) for c in members],
                "disagree": bool(pairs),
                "disagreements": pairs,
            }
        )
    return out


def claims_view(store: Store) -> list[dict[str, Any]]:
    return group_claims(store.iter_claims())


def _figure_text(c: dict[str, Any]) -> str:
    if c["low"] is not None and c["high"] is not None and c["low"] != c["high"]:
        fig = f"{c['low']:g}-{c['high']:g}"
    else:
        fig = f"{c['value']:g}" if c["value"] is not None else "?"
    q = f"{c['qualifier']} " if c["qualifier"] else ""
    of = f" of {c['of']:g}" if c["of"] else ""
    return f"{q}{fig}{of} {c['unit'] or ''}".strip()


def render(rows: list[dict[str, Any]], fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2, default=str)
    flat = [
        {
            "metric": r["metric"],
            "period": r["period"],
            "disagree": r["disagree"],
            "claimant": c["claimant"],
            "subject": c["subject"],
            "figure": _figure_text(c),
            "share_percent": c["share_percent"],
            "as_of": c["as_of"],
            "doc_id": c["doc_id"],
        }
        for r in rows
        for c in r["claims"]
    ]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=list(flat[0]) if flat else ["metric"])
        w.writeheader()
        w.writerows(flat)
        return buf.getvalue()
    from rich.console import Console
    from rich.table import Table

    t = Table(title="Claims by metric and period (! = figures disagree)")
    for col in ("metric", "period", "!", "claimant", "subject", "figure", "share %", "as of"):
        t.add_column(col)
    for f in flat:
        t.add_row(
            f["metric"],
            f["period"],
            "!" if f["disagree"] else "",
            f["claimant"] or "",
            f["subject"] or "",
            f["figure"],
            "" if f["share_percent"] is None else f"{f['share_percent']:g}",
            f["as_of"] or "",
        )
    console = Console(file=io.StringIO(), width=160, record=True)
    console.print(t)
    return console.export_text()


def claims_command(
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
) -> None:
    """Aggregate claims by metric and period, conflicting figures side by side with their claimants."""
    from frontlines.config import resolve_db_url
    from frontlines.store.db import open_store

    if format not in ("table", "csv", "json"):
        typer.echo("error: --format must be table, csv or json", err=True)
        raise typer.Exit(2)
    with open_store(resolve_db_url(db)) as store:
        rows = claims_view(store)
    typer.echo(render(rows, format), nl=False)
    raise typer.Exit(0)
