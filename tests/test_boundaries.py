"""Boundary import: our two invented squares; the real 398-district layer when ../shared/geodata is present."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from frontlines.geo.boundaries import (
    BoundaryError,
    boundaries_import_command,
    default_layer,
    district_of_point,
    import_boundaries,
    layer_names,
    load_layer,
)
from frontlines.store.db import open_store

FIXTURE = Path(__file__).parent / "fixtures" / "control" / "two_squares.geojson"
GEODATA = Path(__file__).resolve().parents[2] / "shared" / "geodata"


@pytest.fixture()
def store(tmp_path):
    with open_store(f"sqlite:///{tmp_path / 'b.db'}") as s:
        yield s


def test_two_squares_match_and_point_in_polygon(store) -> None:
    rep = import_boundaries(FIXTURE, store, layer_name="squares", iso3="AFG")
    assert (rep.features, rep.matched, rep.matched_by_name) == (2, 1, 1)
    assert rep.unmatched == ["Nowhere Land (Atlantis)"]
    layer = load_layer(store, "squares")
    assert layer is not None and len(layer) == 2
    u = district_of_point(31.0, 66.4, layer)
    assert u is not None and u.code == "AF.23.2411"  # the gazetteer's Spin Boldak district
    assert district_of_point(10.5, 10.5, layer).code is None  # stored, unmatched
    assert district_of_point(0.0, 0.0, layer) is None
    assert default_layer(store).name == "squares"
    # Re-importing a layer replaces it rather than doubling it.
    import_boundaries(FIXTURE, store, layer_name="squares", iso3="AFG")
    assert layer_names(store) == [("squares", 2)]


def test_shapefile_without_pyogrio_names_the_package(tmp_path, store) -> None:
    pytest.importorskip("shapely")
    try:
        import pyogrio  # noqa: F401

        pytest.skip("pyogrio installed: the error path does not apply")
    except ImportError:
        pass
    f = tmp_path / "x.shp"
    f.write_bytes(b"")
    with pytest.raises(BoundaryError, match="pyogrio"):
        import_boundaries(f, store)


def test_command(tmp_path) -> None:
    app = typer.Typer()
    app.command()(boundaries_import_command)
    db = f"sqlite:///{tmp_path / 'c.db'}"
    r = CliRunner().invoke(app, [str(FIXTURE), "--db", db, "--layer", "sq", "--iso3", "AFG"])
    assert r.exit_code == 0, r.output
    assert "2 features, 1 matched" in r.output and "Nowhere Land" in r.output
    r = CliRunner().invoke(app, [str(tmp_path / "missing.geojson"), "--db", db])
    assert r.exit_code == 2


def test_real_398_districts(store) -> None:
    path = GEODATA / "afghanistan_districts_398.geojson"
    if not path.exists():
        pytest.skip("../shared/geodata not present")
    rep = import_boundaries(path, store)
    print(f"398-district layer: {rep.matched}/{rep.features} matched ({rep.matched_by_code} by code)")
    assert rep.features == 398 and rep.matched == 398 and not rep.duplicates
    from frontlines.geo.gazetteer import get_gazetteer

    gaz = {p.code for p in get_gazetteer().admin2_of("AFG")}
    layer = load_layer(store, path.stem)
    assert {u.code for u in layer.units} == gaz
    # Each district's own label point falls in its own polygon.
    import csv

    rows = list(csv.DictReader((GEODATA / "afghanistan_districts_398_crosswalk.csv").open(encoding="utf-8")))
    hits = sum(
        (u := layer.district_of_point(float(r["label_lat"]), float(r["label_lon"]))) is not None
        and u.code == r["adm2_geonames_code"]
        for r in rows
    )
    print(f"label points in their own district: {hits}/{len(rows)}")
    assert hits >= 390
