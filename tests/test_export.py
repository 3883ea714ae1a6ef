"""Exports (export/exporters.py): ACLED CSV, GeoJSON and Parquet round-trip through pandas / json / shapely."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
import typer
from shapely.geometry import shape
from typer.testing import CliRunner

from frontlines.acled import EXPORT_COLUMNS
from frontlines.export.exporters import PARQUET_SCHEMA, event_id_cnty, export_command, export_events
from frontlines.store.db import open_store
from frontlines.views.merge import merge_events

_spec = importlib.util.spec_from_file_location(
    "views_fixtures", Path(__file__).parent / "fixtures/views/load.py"
)
fixtures = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixtures)  # type: ignore[union-attr]

DOCS, EVENTS, _ = fixtures.load()
MERGED = merge_events(EVENTS, DOCS)
TS = 1_626_000_000


def by_id(rows: list[dict]) -> dict[str, dict]:
    return {r["event_id_cnty"]: r for r in rows}


def test_acled_csv_round_trip(tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    assert export_events(MERGED, "acled-csv", out, timestamp=TS) == len(MERGED)
    df = pd.read_csv(out, keep_default_na=False)
    assert list(df.columns) == EXPORT_COLUMNS
    rows = by_id(df.to_dict("records"))
    assert len(rows) == len(MERGED)
    for m in MERGED:
        r, e = rows[event_id_cnty(m)], m.event
        assert r["event_id_cnty"].startswith("AFG") and r["event_id_cnty"][3:].isdigit()
        assert r["event_date"] == e.event_date and r["year"] == int(e.event_date[:4])
        assert (r["sub_event_type"], r["actor1"] or None, r["admin2"]) == (
            e.sub_event_type,
            e.actor1,
            e.admin2,
        )
        assert r["latitude"] == pytest.approx(e.latitude) and r["longitude"] == pytest.approx(e.longitude)
        assert r["fatalities"] == e.fatalities and r["time_precision"] == e.time_precision
        assert (r["iso"], r["region"], r["country"]) == (4, "Southern Asia", "Afghanistan")
        assert r["timestamp"] == TS
        assert r["source"] == "; ".join(dict.fromkeys(s["source"] for s in m.sources))
    school = [r for r in rows.values() if r["event_type"] == "Explosions/Remote violence"][0]
    assert school["source"] == "Other Daily; Claim Channel; Test Wire"
    assert school["fatalities"] == 85


def test_geojson_reads_as_points(tmp_path: Path) -> None:
    out = tmp_path / "events.geojson"
    export_events(MERGED, "geojson", out, timestamp=TS)
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and len(data["features"]) == len(MERGED)
    for m, f in zip(MERGED, data["features"], strict=True):
        geom = shape(f["geometry"])
        assert geom.geom_type == "Point" and geom.is_valid
        assert (geom.x, geom.y) == (pytest.approx(m.event.longitude), pytest.approx(m.event.latitude))
        p = f["properties"]
        assert set(EXPORT_COLUMNS) <= set(p)
        assert p["merged_id"] == m.event.event_id and p["evidence_count"] == len(m.event.evidence)
        assert (p["fatalities"], p["fatalities_low"], p["fatalities_high"]) == (
            m.event.fatalities,
            m.event.fatalities_low,
            m.event.fatalities_high,
        )


def test_parquet_round_trip_with_fixed_schema(tmp_path: Path) -> None:
    out = tmp_path / "events.parquet"
    export_events(MERGED, "parquet", out, timestamp=TS)
    assert pq.read_schema(out).remove_metadata() == PARQUET_SCHEMA
    df = pd.read_parquet(out)
    assert list(df.columns[: len(EXPORT_COLUMNS)]) == EXPORT_COLUMNS
    for m, r in zip(MERGED, df.to_dict("records"), strict=True):
        assert str(r["event_date"]) == m.event.event_date
        assert r["fatalities"] == m.event.fatalities and r["n_sources"] == len(m.sources)
        spans = list(r["evidence"])
        assert [(s["doc_id"], s["start"], s["end"], s["text"]) for s in spans] == [
            (s.doc_id, s.start, s.end, s.text) for s in m.event.evidence
        ]


def test_unknown_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        export_events(MERGED, "shapefile", tmp_path / "x")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("export")(export_command)
    app.command("noop")(lambda: None)  # a second command keeps "export" a subcommand
    return app


@pytest.mark.parametrize("fmt", ["acled-csv", "geojson", "parquet"])
def test_export_command_over_a_store(tmp_path: Path, fmt: str) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        fixtures.store_fixture(store)
    out = tmp_path / f"out.{fmt}"
    res = CliRunner().invoke(_app(), ["export", "--format", fmt, "--db", url, "--output", str(out)])
    assert res.exit_code == 0, res.output
    if fmt == "acled-csv":
        assert len(pd.read_csv(out)) == len(MERGED)
    elif fmt == "parquet":
        assert set(pd.read_parquet(out)["merged_id"]) == {m.event.event_id for m in MERGED}
    else:
        assert len(json.loads(out.read_text())["features"]) == len(MERGED)


def test_export_command_usage_errors(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    res = CliRunner().invoke(
        _app(), ["export", "--format", "kml", "--db", url, "--output", str(tmp_path / "o")]
    )
    assert res.exit_code == 2
    res = CliRunner().invoke(_app(), ["export", "--format", "geojson", "--db", url])
    assert res.exit_code == 2
