"""Boundary import: our two invented squares; the real 398-district layer when ../shared/geodata is present."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from frontlines.geo.boundaries import (
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


@pytest.mark.parametrize(("suffix", "driver"), [(".gpkg", "GPKG"), (".shp", "ESRI Shapefile")])
def test_geopackage_and_shapefile(tmp_path, store, suffix: str, driver: str) -> None:
    """The same two squares written as a GeoPackage and a Shapefile import like the GeoJSON."""
    import json

    import numpy as np
    import shapely
    from pyogrio.raw import write

    fc = json.loads(FIXTURE.read_text(encoding="utf-8"))
    geoms = [shapely.geometry.shape(f["geometry"]) for f in fc["features"]]
    keys = sorted({k for f in fc["features"] for k in f["properties"]})
    fields = [
        np.array([str(f["properties"].get(k) or "") for f in fc["features"]], dtype=object) for k in keys
    ]
    path = tmp_path / f"squares{suffix}"
    write(
        str(path),
        shapely.to_wkb(geoms),
        fields,
        keys,
        geometry_type="Polygon",
        crs="EPSG:4326",
        driver=driver,
    )
    rep = import_boundaries(path, store, layer_name="sq", iso3="AFG")
    assert (rep.features, rep.matched) == (2, 1)
    assert district_of_point(31.0, 66.4, load_layer(store, "sq")).code == "AF.23.2411"


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
