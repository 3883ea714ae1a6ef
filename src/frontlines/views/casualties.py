"""`frontlines casualties --by month|province|category`: deaths from events, aggregate claims beside them.

Events are merged across reports first (`views.merge`), so one bombing told by three reports counts once, with
ACLED's fatality rule. Aggregate claims (a UN half-year civilian toll, a ministry's weekly count) are shown next to
the rows they concern and never added to the sums: they overlap the events and each other.

- month: the event's month; a claim sits beside every month its period (or as_of) touches.
- province: admin1; a claim sits beside the province its subject names. Claims about no listed province (the
  country, an actor) go to a last row whose key is null.
- category: the victims' category, from the event: civilians when civilians are targeted or are actor2;
  otherwise actor2's inter category (state forces and foreign forces -> "security forces", rebels and militias ->
  "militants"); "unknown" when the event names no second party. Claims sit beside the categories their
  `categories` counts name, with that category's count.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Annotated, Any

import typer

from frontlines.config import DbOption
from frontlines.records import Claim, Event
from frontlines.store.repository import Store
from frontlines.views.merge import MergedEvent, merged_events

BY = ("month", "province", "category")
# Claims that count deaths ("casualties" = killed and wounded, labelled as such by its metric).
CASUALTY_METRICS = ("fatalities", "casualties")
_INTER_CATEGORY = {
    "State forces": "security forces",
    "External/Other forces": "security forces",
    "Rebel group": "militants",
    "Political militia": "militants",
    "Identity militia": "militants",
    "Civilians": "civilians",
    "Protesters": "civilians",
    "Rioters": "rioters",
}


def victim_category(e: Event) -> str:
    if e.civilian_targeting or e.inter2 == "Civilians" or (e.actor2 or "").startswith("Civilians"):
        return "civilians"
    return _INTER_CATEGORY.get(e.inter2 or "", "unknown")


def _claim_entry(c: Claim, value: float | None = None) -> dict[str, Any]:
    return {
        "claimant": c.claimant,
        "metric": c.metric,
        "subject": c.subject,
        "value": c.value if value is None else value,
        "qualifier": c.qualifier,
        "period_start": c.period_start,
        "period_end": c.period_end,
        "as_of": c.as_of,
        "categories": c.categories,
        "doc_id": c.doc_id,
    }


def _months(c: Claim) -> list[str]:
    start = c.period_start or c.as_of or c.period_end
    end = c.period_end or c.as_of or c.period_start
    if not start or not end:
        return []
    y, m = int(start[:4]), int(start[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= end[:7] and len(out) < 240:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def casualty_table(events: Sequence[MergedEvent], claims: Iterable[Claim], by: str) -> list[dict[str, Any]]:
    """Rows {by: key, "events": n, "fatalities": sum, "claims": [...]}, sorted by key; claims are not summed."""
    if by not in BY:
        raise ValueError(f"--by must be one of {', '.join(BY)}")
    rows: dict[str | None, dict[str, Any]] = {}

    def row(key: str | None) -> dict[str, Any]:
        if key not in rows:
            rows[key] = {by: key, "events": 0, "fatalities": 0, "claims": []}
        return rows[key]

    for m in events:
        e = m.event
        if by == "month":
            key = e.event_date[:7] if e.event_date else "undated"
        elif by == "province":
            key = e.admin1 or "unknown"
        else:
            key = victim_category(e)
        r = row(key)
        r["events"] += 1
        r["fatalities"] += e.fatalities or 0
    leftovers: list[dict[str, Any]] = []
    by_lower = {k.casefold(): k for k in rows if k}
    for c in claims:
        if c.metric not in CASUALTY_METRICS:
            continue
        if by == "month":
            keys = _months(c)
            for k in keys:
                row(k)["claims"].append(_claim_entry(c))
            if not keys:
                leftovers.append(_claim_entry(c))
        elif by == "province":
            k = by_lower.get((c.subject or "").casefold())
            (row(k)["claims"] if k else leftovers).append(_claim_entry(c))
        else:
            if c.categories:
                for cat, n in sorted(c.categories.items()):
                    row(cat)["claims"].append(_claim_entry(c, n))
            else:
                leftovers.append(_claim_entry(c))
    out = sorted((r for k, r in rows.items() if k is not None), key=lambda r: r[by])
    if leftovers:
        out.append({by: None, "events": 0, "fatalities": 0, "claims": leftovers})
    return out


def casualties(store: Store, by: str) -> list[dict[str, Any]]:
    """Merged events' fatalities by month, province or victim category, with aggregate claims beside."""
    return casualty_table(merged_events(store), store.iter_claims(), by)


def _claims_text(claims: list[dict[str, Any]]) -> str:
    parts = []
    for c in claims:
        q = f"{c['qualifier']} " if c["qualifier"] else ""
        v = f"{c['value']:g}" if c["value"] is not None else "?"
        parts.append(f"{c['claimant'] or '?'}: {q}{v} ({c['metric']})")
    return "; ".join(parts)


def render(rows: list[dict[str, Any]], by: str, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rows, indent=2, default=str)
    flat = [
        {
            by: r[by] if r[by] is not None else "(other claims)",
            "events": r["events"],
            "fatalities": r["fatalities"],
            "claims": _claims_text(r["claims"]),
        }
        for r in rows
    ]
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=[by, "events", "fatalities", "claims"])
        w.writeheader()
        w.writerows(flat)
        return buf.getvalue()
    from rich.console import Console
    from rich.table import Table

    t = Table(title=f"Fatalities by {by} (events merged across reports; claims beside, not summed)")
    for col in (by, "events", "fatalities", "claims"):
        t.add_column(col)
    for f in flat:
        t.add_row(str(f[by]), str(f["events"]), str(f["fatalities"]), f["claims"])
    console = Console(file=io.StringIO(), width=160, record=True)
    console.print(t)
    return console.export_text()


def casualties_command(
    by: Annotated[str, typer.Option("--by", help="month | province | category")] = "month",
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
) -> None:
    """Fatalities from events by month, province or victim category, with aggregate claims beside them."""
    from frontlines.config import resolve_db_url
    from frontlines.store.db import open_store

    if by not in BY or format not in ("table", "csv", "json"):
        typer.echo("error: --by must be month|province|category and --format table|csv|json", err=True)
        raise typer.Exit(2)
    with open_store(resolve_db_url(db)) as store:
        rows = casualties(store, by)
    typer.echo(render(rows, by, format), nl=False)
    raise typer.Exit(0)
