"""Key sites (border crossings, provincial capitals, bases) and who holds them on a date.

`frontlines sites --as-of DATE` runs the district rules of `views.control` on the events located at each site of
`data/key_sites.csv`, or of a sites file the user brings (`--sites FILE`, same columns). Where sites carry a
`customs_revenue_share` (a fraction of national customs revenue, 0..1), the command also sums the shares by state
and holder: "who holds the crossings that collect a quarter of customs revenue?". The bundled file leaves the
share empty: we found no per-crossing figure we could cite, so users who have one supply it.
"""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from frontlines.config import AsOfOption, DbOption
from frontlines.views.control import SiteState


def read_sites_file(path: str | Path) -> tuple[dict[str, str], ...]:
    """A user's key-sites CSV: at least `id`, `name`, `kind`; the bundled file's other columns are optional."""
    with open(path, encoding="utf-8", newline="") as fh:
        rows = tuple(dict(r) for r in csv.DictReader(fh))
    if not rows:
        raise ValueError(f"{path}: no rows")
    missing = {"id", "name", "kind"} - set(rows[0])
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}")
    for i, r in enumerate(rows, start=2):
        share = (r.get("customs_revenue_share") or "").strip()
        if share:
            try:
                value = float(share)
            except ValueError:
                raise ValueError(f"{path}:{i}: customs_revenue_share {share!r} is not a number") from None
            if not 0 <= value <= 1:
                raise ValueError(
                    f"{path}:{i}: customs_revenue_share {share!r} is not a fraction between 0 and 1"
                )
    return rows


def revenue_by_holder(states: Iterable[SiteState]) -> list[dict[str, object]]:
    """Customs revenue shares summed by (state, holder), largest first; sites without a share are counted apart."""
    share: dict[tuple[str, str | None], float] = defaultdict(float)
    count: dict[tuple[str, str | None], int] = defaultdict(int)
    for s in states:
        raw = (s.attributes.get("customs_revenue_share") or "").strip()
        if not raw:
            continue
        key = (s.state, s.holder)
        share[key] += float(raw)
        count[key] += 1
    rows = [
        {"state": st, "holder": h, "sites": count[(st, h)], "customs_revenue_share": round(v, 4)}
        for (st, h), v in share.items()
    ]
    return sorted(rows, key=lambda r: -float(r["customs_revenue_share"]))  # type: ignore[arg-type]


def render_sites(states: Sequence[SiteState], fmt: str, day: date) -> str:
    if fmt == "json":
        out = {
            "as_of": day.isoformat(),
            "sites": [
                {
                    **{k: v for k, v in asdict(s).items() if k != "evidence"},
                    "evidence": [
                        {"doc_id": e.doc_id, "start": e.start, "end": e.end, "text": e.text}
                        for e in s.evidence
                    ],
                }
                for s in states
            ],  # fmt: skip
            "customs_revenue_by_holder": revenue_by_holder(states),
        }
        return json.dumps(out, ensure_ascii=False, indent=1) + "\n"
    cols = ["site_id", "name", "kind", "admin1", "admin2", "state", "holder", "since", "last_event_date", "rule",
            "customs_revenue_share", "event_ids"]  # fmt: skip
    rows = [
        [s.site_id, s.name, s.kind, s.admin1 or "", s.admin2 or "", s.state, s.holder or "", s.since or "",
         s.last_event_date or "", s.rule, s.attributes.get("customs_revenue_share", ""), ";".join(s.event_ids)]
        for s in states
    ]  # fmt: skip
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(cols)
        w.writerows(rows)
        return buf.getvalue()
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Key sites as of {day.isoformat()}")
    for c in cols[:-1]:
        table.add_column(c)
    for r in rows:
        table.add_row(*[str(x) for x in r[:-1]])
    buf = io.StringIO()
    console = Console(file=buf, width=200)
    console.print(table)
    by_holder = revenue_by_holder(states)
    if by_holder:
        console.print("Customs revenue share by state and holder:")
        for r in by_holder:
            console.print(
                f"  {r['state']:<12} {r['holder'] or '-':<40} {r['sites']} sites  {r['customs_revenue_share']:.1%}"
            )
    return buf.getvalue()


def sites_command(
    as_of: AsOfOption = None,
    db: DbOption = None,
    kind: Annotated[
        str | None,
        typer.Option("--kind", help="Only sites of this kind (border_crossing, provincial_capital, ...)."),
    ] = None,
    sites_file: Annotated[
        str | None,
        typer.Option(
            "--sites",
            help="Your own key-sites CSV (columns as data/key_sites.csv; customs_revenue_share 0..1).",
        ),
    ] = None,
    format: Annotated[str, typer.Option("--format", help="table | csv | json")] = "table",
    max_age_days: Annotated[
        int,
        typer.Option(
            "--max-age-days", help="Days without reports before a state reads unconfirmed (0: never)."
        ),
    ] = 30,
) -> None:
    """Who holds each key site (border crossings, provincial capitals, bases) on a date, with the events behind it."""
    from frontlines.config import resolve_db_url
    from frontlines.store.db import open_store
    from frontlines.views.control import TERRITORY_TYPES, event_day, key_sites_as_of, load_key_sites

    if format not in ("table", "csv", "json"):
        typer.echo("error: --format must be table|csv|json", err=True)
        raise typer.Exit(2)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        typer.echo(f"error: --as-of {as_of!r} is not a YYYY-MM-DD date", err=True)
        raise typer.Exit(2) from None
    try:
        sites = read_sites_file(sites_file) if sites_file else load_key_sites()
    except (OSError, ValueError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    if kind:
        sites = tuple(s for s in sites if s.get("kind") == kind)
    with open_store(resolve_db_url(db)) as store:
        events = [e for e in store.iter_events() if e.sub_event_type in TERRITORY_TYPES]
    if day is None:
        days = [d for d in map(event_day, events) if d]
        day = max(days) if days else date.today()
    states = key_sites_as_of(events, day, sites=sites, max_age_days=max_age_days or None)
    typer.echo(render_sites(states, format, day), nl=False)
