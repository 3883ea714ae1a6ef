"""The dashboard in a real browser: Playwright drives Debian's Chromium against a uvicorn server on loopback.

The store holds the reports in tests/fixtures/web/ and a two-district boundary layer built here (squares around
the gazetteer's district centres), so polygons render without any external geodata. Screenshots go to
artifacts/screenshots/.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from conftest import live_server

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[1]
VENDOR = ROOT / "src" / "frontlines" / "web" / "static" / "vendor" / "leaflet.js"
SHOTS = ROOT / "artifacts" / "screenshots"
FIXTURES = Path(__file__).parent / "fixtures" / "web"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]  # fmt: skip

if not CHROMIUM.exists():
    pytest.skip(
        "Chromium is not installed at /usr/bin/chromium (apt-get install chromium)", allow_module_level=True
    )
if not VENDOR.exists():
    pytest.skip("Leaflet assets missing: run scripts/web-assets.sh", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")


def _square(lon: float, lat: float, half: float = 0.2) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]  # fmt: skip
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from fastapi.testclient import TestClient

    from frontlines.api.app import create_app
    from frontlines.geo.boundaries import import_boundaries
    from frontlines.ingest.service import ingest
    from frontlines.store.db import open_store

    tmp = tmp_path_factory.mktemp("web")
    url = f"sqlite:///{tmp / 'store.db'}"
    with open_store(url) as store:
        ingest([str(FIXTURES)], store)
    # Polygons for the districts the events fall in, from the API's own district centres.
    points = TestClient(create_app(url)).get("/api/control", params={"as_of": "2021-07-05"}).json()
    wanted = {(e, a) for e in ("Ghoriyan", "Kandahar") for a in ("Herat", "Kandahar")}
    feats = [
        {"type": "Feature", "properties": {"distid": f["properties"]["code"]},
         "geometry": _square(*f["geometry"]["coordinates"])}
        for f in points["features"]
        if (f["properties"]["name"], f["properties"]["admin1"]) in wanted and f["geometry"]
    ]  # fmt: skip
    assert len(feats) == 2
    layer = tmp / "two_districts.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    with open_store(url) as store:
        import_boundaries(layer, store)

    with live_server(create_app(url)) as base:
        yield base


@pytest.fixture(scope="module")
def page(server: str) -> Iterator[Any]:
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        pg = browser.new_page(viewport={"width": 1400, "height": 900})
        errors: list[str] = []
        pg.on("pageerror", lambda e: errors.append(str(e)))
        pg.goto(server + "/")
        pg.wait_for_selector("body[data-ready='1']", timeout=20_000)
        pg.errors = errors  # type: ignore[attr-defined]
        yield pg
        browser.close()


def _fill(page: Any, code: str) -> str:
    return page.get_attribute(f"path.district[data-code='{code}']", "fill")


def test_map_renders_districts_markers_and_panels(page: Any) -> None:
    assert page.locator("path.district").count() == 2
    assert page.locator("path.event-marker").count() >= 3  # the slider starts on the last event day
    assert page.locator("#vendor-missing").is_hidden()
    assert "district polygons" in page.text_content("#status")
    assert page.locator("#chart-control polyline").count() == 3
    assert page.locator("#chart-casualties rect").count() >= 1
    page.uncheck("#claims-conflicts")
    assert "United Nations" in page.text_content("#claims")
    assert page.errors == []
    page.screenshot(path=str(SHOTS / "dashboard.png"))


def test_slider_changes_the_choropleth(page: Any) -> None:
    held = page.evaluate("() => fetch('/api/control?as_of=2021-06-25&geometry=false').then(r => r.json())")
    code = next(f["properties"]["code"] for f in held["features"] if f["properties"]["state"] == "held")
    assert page.text_content("#date-label") == "2021-07-01"
    at_end = _fill(page, code)  # retaken by 2021-07-01
    page.focus("#date-slider")
    for _ in range(6):
        page.keyboard.press("ArrowLeft")
    assert page.text_content("#date-label") == "2021-06-25"
    page.wait_for_selector("body[data-control-as-of='2021-06-25']", timeout=10_000)
    assert _fill(page, code) != at_end
    assert _fill(page, code).lower() == "#d32f2f"  # the `held` colour
    assert "held 1" in page.text_content("#status")
    page.screenshot(path=str(SHOTS / "slider-2021-06-25.png"))


def test_clicking_an_event_shows_highlighted_evidence(page: Any) -> None:
    markers = page.locator("path.event-marker")
    assert markers.count() >= 1  # on 2021-06-25 only the capture has happened
    markers.first.click(force=True)
    page.wait_for_selector("#doc-text mark.evidence", timeout=10_000)
    assert page.text_content("#doc-title").startswith("Insurgents seize Ghoryan district in Herat")
    marked = page.locator("#doc-text mark.evidence").all_text_contents()
    assert "Taliban fighters" in marked
    assert page.text_content("#doc-text").startswith("HERAT, Afghanistan")
    fields = page.locator("#detail-fields dd").all_text_contents()
    assert "Taliban" in fields
    page.screenshot(path=str(SHOTS / "event-evidence.png"))
