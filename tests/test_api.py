"""The REST API over a small store filled by ingesting the reports in tests/fixtures/web/ (written for these tests)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from frontlines.api.app import create_app
from frontlines.geo.boundaries import import_boundaries
from frontlines.ingest.service import ingest
from frontlines.store.db import open_store

FIXTURES = Path(__file__).parent / "fixtures" / "web"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("api") / "store.db"
    with open_store(f"sqlite:///{path}") as store:
        stats = ingest([str(FIXTURES)], store)
    assert stats.new == 2 and stats.events >= 3
    return path


@pytest.fixture(scope="module")
def client(store_path: Path) -> TestClient:
    return TestClient(create_app(f"sqlite:///{store_path}"))


def _events(client: TestClient, **params: Any) -> dict[str, Any]:
    r = client.get("/api/events", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def _square(lon: float, lat: float, half: float = 0.15) -> dict[str, Any]:
    ring = [[lon - half, lat - half], [lon + half, lat - half], [lon + half, lat + half],
            [lon - half, lat + half], [lon - half, lat - half]]  # fmt: skip
    return {"type": "Polygon", "coordinates": [ring]}


def test_health_and_docs(client: TestClient) -> None:
    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["counts"]["documents"] == 2 and h["counts"]["events"] >= 3
    spec = client.get("/openapi.json").json()
    for path in ("/api/events", "/api/events/{row_id}", "/api/documents/{row_id}", "/api/control",
                 "/api/control/counts", "/api/casualties", "/api/claims", "/api/health"):  # fmt: skip
        assert path in spec["paths"], path
    assert client.get("/docs").status_code == 200
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_events_ordering_and_pagination(client: TestClient) -> None:
    full = _events(client)
    items = full["items"]
    assert full["total"] == len(items) >= 3
    keys = [(e["event_date"] is None, e["event_date"] or "", e["id"]) for e in items]
    assert keys == sorted(keys)
    paged = []
    for offset in range(0, full["total"], 2):
        page = _events(client, limit=2, offset=offset)
        assert page["total"] == full["total"] and page["limit"] == 2 and page["offset"] == offset
        paged += page["items"]
    assert [e["id"] for e in paged] == [e["id"] for e in items]
    assert client.get("/api/events", params={"limit": 0}).status_code == 422
    assert client.get("/api/events", params={"limit": 100000}).status_code == 422


def test_event_filters(client: TestClient) -> None:
    items = _events(client)["items"]
    capture = next(e for e in items if e["actor1"] == "Taliban")
    bomb = next(e for e in items if e["event_type"] == "Explosions/Remote violence")
    assert bomb["fatalities"] == 3 and bomb["admin1"] == "Kandahar"

    def ids(**params: Any) -> set[int]:
        return {e["id"] for e in _events(client, **params)["items"]}

    assert ids(event_type="Explosions/Remote violence") == {bomb["id"]}
    assert ids(sub_event_type=capture["sub_event_type"]) == {capture["id"]}
    assert capture["id"] in ids(actor="taliban") and bomb["id"] not in ids(actor="taliban")
    assert bomb["id"] in ids(actor="CIVILIANS")
    assert ids(admin1="kandahar") == {bomb["id"]}
    assert bomb["id"] not in ids(admin1="Herat") and capture["id"] in ids(admin2=capture["admin2"])
    lon, lat = bomb["longitude"], bomb["latitude"]
    assert ids(bbox=f"{lon - 0.5},{lat - 0.5},{lon + 0.5},{lat + 0.5}") == {bomb["id"]}
    assert ids(date_to="2021-06-30") == {capture["id"]}
    assert capture["id"] not in ids(date_from="2021-06-30")
    assert ids(q="ROADSIDE BOMB") == {bomb["id"]}
    assert ids(q="100%_") == set()  # LIKE wildcards are escaped, not matched
    assert len(ids(certainty="reported")) == len(items) and ids(certainty="claimed") == set()
    assert client.get("/api/events", params={"bbox": "1,2,3"}).status_code == 422
    assert client.get("/api/events", params={"date_from": "June"}).status_code == 422


def test_event_detail_with_evidence_and_document(client: TestClient) -> None:
    capture = next(e for e in _events(client)["items"] if e["actor1"] == "Taliban")
    d = client.get(f"/api/events/{capture['id']}").json()
    assert (
        d["event_id"] == capture["event_id"]
        and d["document"]["title"] == "Insurgents seize Ghoryan district in Herat"
    )
    text = d["document"]["text"]
    assert d["evidence"], "an event with no evidence spans"
    for span in d["evidence"]:
        assert text[span["start"] : span["end"]] == span["text"]
    assert any("actor1" in s["fields"] and s["text"] == "Taliban fighters" for s in d["evidence"])
    doc = client.get(f"/api/documents/{d['document_id']}").json()
    assert doc["text"] == text and doc["doc_id"] == d["doc_id"]
    assert client.get("/api/events/999999").status_code == 404
    assert client.get("/api/documents/999999").json() == {"detail": "no document with id 999999"}
    assert client.get("/api/events/abc").status_code == 422


def test_control_geojson_points_without_boundaries(client: TestClient) -> None:
    before = client.get("/api/control", params={"as_of": "2021-06-25"}).json()
    assert before["type"] == "FeatureCollection" and before["metadata"]["geometry"] == "points"
    assert len(before["features"]) == 398 and before["metadata"]["counts"]["held"] == 1
    ghor = next(f for f in before["features"] if f["properties"]["state"] == "held")
    assert ghor["properties"]["admin1"] == "Herat" and ghor["properties"]["holder"] == "Taliban"
    assert ghor["geometry"]["type"] == "Point" and ghor["properties"]["evidence"]
    after = client.get("/api/control", params={"as_of": "2021-07-05"}).json()
    same = next(f for f in after["features"] if f["properties"]["code"] == ghor["properties"]["code"])
    assert same["properties"]["state"] == "government" and after["metadata"]["counts"]["held"] == 0
    bare = client.get("/api/control", params={"as_of": "2021-07-05", "geometry": "false"}).json()
    assert all(f["geometry"] is None for f in bare["features"])
    assert client.get("/api/control", params={"as_of": "2021-13-01"}).status_code == 422


def test_control_counts(client: TestClient) -> None:
    rows = client.get("/api/control/counts", params={"start": "2021-06-15", "end": "2021-07-05",
                                                     "step_days": 7}).json()  # fmt: skip
    assert [r["date"] for r in rows] == ["2021-06-15", "2021-06-22", "2021-06-29", "2021-07-05"]
    assert [r["counts"]["held"] for r in rows] == [0, 1, 1, 0]
    assert all(sum(r["counts"].values()) == r["total"] == 398 for r in rows)
    bad = client.get("/api/control/counts", params={"start": "2021-07-05", "end": "2021-06-01"})
    assert bad.status_code == 422


def test_casualties_and_claims(client: TestClient) -> None:
    events = _events(client)["items"]
    rows = client.get("/api/casualties", params={"by": "month"}).json()
    assert sum(r["fatalities"] for r in rows) == sum(e["fatalities"] for e in events)
    july = next(r for r in rows if r["key"] == "2021-07")
    assert july["fatalities"] >= 3
    assert client.get("/api/casualties", params={"by": "province"}).status_code == 200
    assert client.get("/api/casualties", params={"by": "weekday"}).status_code == 422
    groups = client.get("/api/claims").json()
    claims = [c for g in groups for c in g["claims"]]
    un = next(c for c in claims if c["claimant"] == "United Nations")
    assert un["value"] == 1600 and un["evidence"]


def test_etag_304(client: TestClient) -> None:
    r = client.get("/api/events", params={"limit": 2})
    tag = r.headers["etag"]
    assert r.headers["cache-control"] == "no-cache"
    again = client.get("/api/events", params={"limit": 2}, headers={"If-None-Match": tag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == tag
    other = client.get("/api/events", params={"limit": 3}, headers={"If-None-Match": tag})
    assert other.status_code == 200 and other.headers["etag"] != tag
    ctl = client.get("/api/control", params={"as_of": "2021-06-25"})
    assert client.get("/api/control", params={"as_of": "2021-06-25"},
                      headers={"If-None-Match": ctl.headers["etag"]}).status_code == 304  # fmt: skip


def test_polygons_when_a_boundary_layer_is_imported(store_path: Path, tmp_path: Path) -> None:
    copy = tmp_path / "store.db"
    shutil.copy(store_path, copy)
    app = create_app(f"sqlite:///{copy}")
    app.state.service.fingerprint_ttl_s = 0  # see the store change at once
    client = TestClient(app)
    pts = client.get("/api/control", params={"as_of": "2021-06-25"})
    held = next(f for f in pts.json()["features"] if f["properties"]["state"] == "held")
    lon, lat = held["geometry"]["coordinates"]
    layer = tmp_path / "two_districts.geojson"
    layer.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"distid": held["properties"]["code"]}, "geometry": _square(lon, lat)},
    ]}))  # fmt: skip
    with open_store(f"sqlite:///{copy}") as store:
        assert import_boundaries(layer, store).matched == 1
    polys = client.get(
        "/api/control", params={"as_of": "2021-06-25"}, headers={"If-None-Match": pts.headers["etag"]}
    )
    assert polys.status_code == 200, "the store changed: the old ETag must not match"
    fc = polys.json()
    assert fc["metadata"]["geometry"] == "polygons" and "two_districts" in fc["metadata"]["layer"]
    with_shape = [f for f in fc["features"] if f["geometry"] is not None]
    assert [f["properties"]["code"] for f in with_shape] == [held["properties"]["code"]]
    assert with_shape[0]["geometry"]["type"] == "Polygon" and with_shape[0]["properties"]["state"] == "held"


def test_errors_carry_no_traceback(store_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_app(f"sqlite:///{store_path}")

    def boom(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("secret-internal-detail")

    monkeypatch.setattr(app.state.service, "events", boom)
    client = TestClient(app, raise_server_exceptions=False)
    r = client.get("/api/events")
    assert r.status_code == 500 and r.json() == {"detail": "internal server error"}
    assert "secret-internal-detail" not in r.text and "Traceback" not in r.text


def test_dashboard_never_uses_innerhtml() -> None:
    js = (Path(__file__).parents[1] / "src" / "frontlines" / "web" / "static" / "app.js").read_text()
    # Data reaches the DOM through textContent / createElement only (the comment naming innerHTML is fine).
    assert not re.search(r"\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write", js)
    assert "textContent" in js


def test_control_evidence_is_the_states_first_and_latest_event(tmp_path: Path) -> None:
    from frontlines.records import Document, Event, Evidence

    url = f"sqlite:///{tmp_path / 'held.db'}"
    said = ["overran the district centre", "held off a counter-attack", "repelled a raid", "beat back troops"]
    with open_store(url) as store:
        ((row, _),) = store.add_documents([Document(id="held", text=" ".join(said))])
        events, at = [], 0
        for k, words in enumerate(said):
            sub = "Non-state actor overtakes territory" if k == 0 else "Armed clash"
            events.append(
                Event(
                    doc_id="held", event_id=f"held:e{k}", event_date=f"2021-06-0{1 + 2 * k}",
                    sub_event_type=sub, event_type="Battles", actor1="Taliban", inter1="Rebel group",
                    actor2="Military Forces of Afghanistan (2014-2021)", inter2="State forces",
                    country="Afghanistan", iso3="AFG", admin1="Kandahar", admin2="Spin Boldak",
                    location="Spin Boldak", geo_precision=2, certainty="reported",
                    evidence=[Evidence("held", at, at + len(words), words, ["sub_event_type"])],
                )
            )  # fmt: skip
            at += len(words) + 1
        store.save_extraction(row, events, "test")
    fc = TestClient(create_app(url)).get("/api/control", params={"as_of": "2021-06-10"}).json()
    (held,) = [f["properties"] for f in fc["features"] if f["properties"]["state"] == "held"]
    assert held["event_ids"] == [f"held:e{k}" for k in range(4)]  # the capture, upheld three times
    assert held["evidence"] == [said[0], said[3]]
