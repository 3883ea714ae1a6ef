"""`frontlines summary`: what a store holds, in a few tables a person can read."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console
from rich.table import Table

from frontlines.store.repository import Store


def summarise(store: Store, *, latest: int = 15) -> dict[str, Any]:
    """Counts, events by type and province, claims by metric, and the most recent events."""
    by_type: Counter[str] = Counter()
    by_province: Counter[str] = Counter()
    fatalities = 0
    events = []
    for ev in store.iter_events():
        by_type[ev.sub_event_type or "?"] += 1
        by_province[ev.admin1 or "?"] += 1
        fatalities += ev.fatalities or 0
        events.append(ev)
    events.sort(key=lambda e: (e.event_date or "", e.confidence), reverse=True)
    claims = list(store.iter_claims())
    by_metric: Counter[str] = Counter(c.metric or "?" for c in claims)
    return {
        "counts": store.counts(),
        "fatalities": fatalities,
        "events_by_sub_event_type": dict(by_type.most_common()),
        "events_by_admin1": dict(by_province.most_common()),
        "claims_by_metric": dict(by_metric.most_common()),
        "latest_events": [
            {
                "event_date": e.event_date,
                "sub_event_type": e.sub_event_type,
                "location": e.location,
                "admin1": e.admin1,
                "actor1": e.actor1,
                "actor2": e.actor2,
                "fatalities": e.fatalities,
                "source": (e.evidence[0].text if e.evidence else None),
            }
            for e in events[:latest]
        ],
        "claims": [
            {
                "metric": c.metric,
                "claimant": c.claimant,
                "value": c.value,
                "low": c.low,
                "high": c.high,
                "of": c.of,
                "qualifier": c.qualifier,
                "as_of": c.as_of,
            }
            for c in claims
        ],
    }


def print_summary(data: dict[str, Any], console: Console | None = None) -> None:
    console = console or Console()
    c = data["counts"]
    console.print(
        f"[bold]{c['documents']}[/] documents, [bold]{c['events']}[/] events, [bold]{c['claims']}[/] claims, "
        f"{c['evidence']} evidence spans, {c['rejections']} rejected inputs; {data['fatalities']} fatalities coded"
    )
    t = Table(title="Events by ACLED sub-event type")
    t.add_column("sub_event_type")
    t.add_column("events", justify="right")
    for k, v in data["events_by_sub_event_type"].items():
        t.add_row(k, str(v))
    console.print(t)
    t = Table(title="Events by province (admin1)")
    t.add_column("admin1")
    t.add_column("events", justify="right")
    for k, v in list(data["events_by_admin1"].items())[:15]:
        t.add_row(k, str(v))
    console.print(t)
    t = Table(title="Most recent events")
    for col in ("date", "sub_event_type", "location", "admin1", "actor1", "actor2", "fatalities"):
        t.add_column(col)
    for e in data["latest_events"]:
        t.add_row(
            e["event_date"] or "",
            e["sub_event_type"] or "",
            e["location"] or "",
            e["admin1"] or "",
            e["actor1"] or "",
            e["actor2"] or "",
            str(e["fatalities"]),
        )
    console.print(t)
    t = Table(title="Claims")
    for col in ("metric", "claimant", "figure", "of", "as_of"):
        t.add_column(col)
    for cl in data["claims"]:
        if cl["low"] is not None and cl["high"] is not None and cl["low"] != cl["high"]:
            fig = f"{cl['low']:g}-{cl['high']:g}"
        else:
            fig = "" if cl["value"] is None else f"{cl['value']:g}"
        if cl["qualifier"]:
            fig = f"{cl['qualifier']} {fig}"
        t.add_row(
            cl["metric"] or "",
            cl["claimant"] or "",
            fig,
            "" if cl["of"] is None else f"{cl['of']:g}",
            cl["as_of"] or "",
        )
    console.print(t)
