"""Analyst review at the store level, on SQLite and PostgreSQL: confirm/correct/reject/revert, the audit log,
reviews surviving re-extraction, and the views (control, casualties, exports) reading reviewed values."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from frontlines.api.app import create_app
from frontlines.api.tokens import create_token
from frontlines.records import Document, Event, Evidence
from frontlines.store import Store, open_store
from frontlines.store.models import AuditRow, EventRow, ReviewRow
from frontlines.store.review import ReviewConflict, ReviewError, ReviewNotFound, Reviews
from frontlines.views.casualties import casualties
from frontlines.views.control import TERRITORY_TYPES, control_as_of
from frontlines.views.merge import merged_events

TAL, ANA = "Taliban", "Military Forces of Afghanistan (2014-2021)"
CAPTURE = "Non-state actor overtakes territory"
SPIN, DAMAN = "AF.23.2411", "AF.23.2402"  # Spin Boldak and Daman in the gazetteer
TEXT = "Insurgents overran the border town of Spin Boldak on Tuesday; four police officers were killed there."


def _doc() -> Document:
    return Document(
        id="r1.txt", text=TEXT, published=date(2021, 7, 14), title="t", origin="r1.txt", fmt="text"
    )


def _events(d: Document, *, fatalities: int = 4, admin2: str = "Spin Boldak") -> list[Event]:
    i = d.text.index("Spin Boldak")
    capture = Event(
        d.id, event_id="cap1", event_date="2021-07-13", time_precision=1, disorder_type="Political violence",
        event_type="Battles", sub_event_type=CAPTURE, actor1=TAL, inter1="Rebel group", actor2=ANA,
        inter2="State forces", interaction="State forces-Rebel group", country="Afghanistan", iso3="AFG",
        admin1="Kandahar", admin2=admin2, location="Spin Boldak", latitude=31.0, longitude=66.4, geo_precision=1,
        fatalities=fatalities, notes="capture of the town", evidence=[Evidence.of(d, i, i + 11, ["location"])],
    )  # fmt: skip
    other = Event(
        d.id, event_id="clash2", event_date="2021-07-12", time_precision=1, event_type="Battles",
        sub_event_type="Armed clash", actor1=TAL, inter1="Rebel group", country="Afghanistan", iso3="AFG",
        admin1="Kandahar", admin2="Daman", fatalities=1, evidence=[Evidence.of(d, 0, 10, ["actor1"])],
    )  # fmt: skip
    return [capture, other]


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = open_store(db_url)
    row, _ = s.add_document(_doc())
    s.save_extraction(row, _events(_doc()), "v1")
    yield s
    s.close()


def _one(store: Store, event_id: str, **kw: object) -> Event | None:
    return next((e for e in store.iter_events(**kw) if e.event_id == event_id), None)


def _spin_state(store: Store) -> str:
    territory = [e for e in store.iter_events() if e.sub_event_type in TERRITORY_TYPES]
    (spin,) = [s for s in control_as_of(territory, date(2021, 7, 20)) if s.code == SPIN]
    return spin.state


def test_confirm_records_status_and_audit(store: Store) -> None:
    r = Reviews(store)
    aid = r.review("cap1", "confirm", "alice", note="checked against a second report")
    assert r.overlay("cap1").status == "confirmed"
    (entry,), total = r.audit("cap1")
    assert total == 1 and entry["id"] == aid and entry["reviewer"] == "alice" and entry["action"] == "confirm"
    assert entry["before"] == {"review_status": "unreviewed"} and entry["after"] == {
        "review_status": "confirmed"
    }
    assert entry["note"] == "checked against a second report" and entry["at"].endswith("+00:00")
    assert _one(store, "cap1").admin2 == "Spin Boldak"  # a confirmation changes no value


def test_correct_overlays_values_and_records_before_after(store: Store) -> None:
    r = Reviews(store)
    r.review("cap1", "correct", "alice", {"admin2": "Daman", "fatalities": 6, "event_date": "2021-07-12"})
    ev = _one(store, "cap1")
    assert (ev.admin2, ev.fatalities, ev.event_date) == ("Daman", 6, "2021-07-12")
    (entry,), _ = r.audit("cap1")
    assert entry["fields"] == ["admin2", "event_date", "fatalities"]
    assert entry["before"] == {"review_status": "unreviewed", "admin2": "Spin Boldak", "fatalities": 4,
                               "event_date": "2021-07-13"}  # fmt: skip
    assert entry["after"] == {"review_status": "corrected", "admin2": "Daman", "fatalities": 6,
                              "event_date": "2021-07-12"}  # fmt: skip
    # the extractor's row is untouched: the review lives beside it
    with store.engine.connect() as conn:
        assert (
            conn.execute(select(EventRow.admin2).where(EventRow.event_id == "cap1")).scalar_one()
            == "Spin Boldak"
        )


def test_filters_see_reviewed_values(store: Store) -> None:
    r = Reviews(store)
    r.review("clash2", "correct", "alice", {"sub_event_type": "Air/drone strike", "event_date": "2021-08-02"})
    ev = _one(store, "clash2")
    # the sub-event type names its event type and disorder type
    assert (ev.event_type, ev.disorder_type) == ("Explosions/Remote violence", "Political violence")
    assert _one(store, "clash2", event_type="Explosions/Remote violence") is not None
    assert _one(store, "clash2", event_type="Battles") is None
    assert _one(store, "clash2", since=date(2021, 8, 1)) is not None
    assert _one(store, "clash2", until=date(2021, 7, 31)) is None
    assert _one(store, "cap1", until=date(2021, 7, 31)) is not None  # unreviewed events still filtered in SQL


def test_reject_leaves_reads_views_and_exports(store: Store, tmp_path: Path) -> None:
    from frontlines.export.exporters import write_acled_csv

    assert _spin_state(store) != "government"
    month = {row["month"]: row for row in casualties(store, "month")}
    assert month["2021-07"]["fatalities"] == 5
    Reviews(store).review("cap1", "reject", "bob", note="the town was not taken that week")
    assert _one(store, "cap1") is None
    assert _one(store, "cap1", include_rejected=True) is not None
    assert _spin_state(store) == "government"
    month = {row["month"]: row for row in casualties(store, "month")}
    assert month["2021-07"]["fatalities"] == 1
    out = tmp_path / "events.csv"
    write_acled_csv(merged_events(store), out)
    rows = list(csv.DictReader(out.open()))
    assert len(rows) == 1 and rows[0]["sub_event_type"] == "Armed clash"


def test_corrections_reach_control_casualties_and_export(store: Store, tmp_path: Path) -> None:
    from frontlines.export.exporters import write_acled_csv

    Reviews(store).review("cap1", "correct", "alice", {"fatalities": 9, "admin2": "Daman"})
    assert sum(r["fatalities"] for r in casualties(store, "month")) == 10
    territory = [e for e in store.iter_events() if e.sub_event_type in TERRITORY_TYPES]
    states = {s.code: s.state for s in control_as_of(territory, date(2021, 7, 20))}
    assert states[DAMAN] != "government" and states[SPIN] == "government"
    out = tmp_path / "events.csv"
    write_acled_csv(merged_events(store), out)
    by_type = {r["sub_event_type"]: r for r in csv.DictReader(out.open())}
    assert by_type[CAPTURE]["admin2"] == "Daman" and by_type[CAPTURE]["fatalities"] == "9"


def test_review_survives_reextraction(store: Store) -> None:
    r = Reviews(store)
    r.review("cap1", "correct", "alice", {"admin2": "Daman", "fatalities": 6})
    r.review("clash2", "reject", "alice")
    # a new extractor version re-extracts the report: rows are replaced, with other extractor values
    (row, _), = store.add_documents([_doc()])  # fmt: skip
    store.save_extraction(row, _events(_doc(), fatalities=2, admin2="Spin Boldak"), "v2")
    with store.engine.connect() as conn:
        # the extractor's new values are stored...
        assert conn.execute(select(EventRow.fatalities).where(EventRow.event_id == "cap1")).scalar_one() == 2
        assert conn.execute(select(ReviewRow.event_id).order_by(ReviewRow.event_id)).scalars().all() == [
            "cap1",
            "clash2",
        ]
    ev = _one(store, "cap1")
    assert (ev.admin2, ev.fatalities) == ("Daman", 6)  # ...and the analyst's still win
    assert _one(store, "clash2") is None
    assert r.audit("cap1")[1] == 1 and r.audit()[1] == 2
    # a field the analyst did not set follows the new extraction
    store.save_extraction(row, [_events(_doc())[0]], "v3")
    assert _one(store, "cap1").notes == "capture of the town"


def test_revert_restores_and_is_recorded(store: Store) -> None:
    r = Reviews(store)
    first = r.review("cap1", "correct", "alice", {"admin2": "Daman"})
    r.review("cap1", "correct", "bob", {"fatalities": 7, "admin2": "Arghandab"})
    second_id = r.audit("cap1")[0][0]["id"]
    new_id, eid = r.revert(second_id, "carol", note="wrong district")
    assert eid == "cap1"
    ev = _one(store, "cap1")
    assert (ev.admin2, ev.fatalities) == ("Daman", 4)  # alice's value back; fatalities the extractor's again
    assert r.overlay("cap1").fields == {"admin2": "Daman"}
    items, total = r.audit("cap1")
    assert total == 3 and items[0]["id"] == new_id and items[0]["action"] == "revert"
    assert items[0]["reviewer"] == "carol" and items[0]["note"] == "wrong district"
    assert items[0]["before"]["admin2"] == "Arghandab" and items[0]["after"]["admin2"] == "Daman"
    assert items[1]["reverted_by"] == new_id
    with pytest.raises(ReviewConflict):
        r.revert(second_id, "carol")
    r.revert(first, "carol")
    assert r.overlay("cap1") is None and _one(store, "cap1").admin2 == "Spin Boldak"
    # the log only grows
    with store.engine.connect() as conn:
        assert len(conn.execute(select(AuditRow.id)).all()) == 4


def test_reverting_an_old_correction_keeps_a_later_rejection(store: Store) -> None:
    r = Reviews(store)
    first = r.review("cap1", "correct", "alice", {"admin2": "Daman"})
    r.review("cap1", "reject", "bob")
    r.revert(first, "carol")
    assert r.overlay("cap1").status == "rejected" and _one(store, "cap1") is None
    assert _one(store, "cap1", include_rejected=True).admin2 == "Spin Boldak"


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"no_such_field": 1}, "unknown"),
        ({"event_id": "x"}, "unknown or read-only"),
        ({"disorder_type": "Demonstrations"}, "derived"),
        ({"sub_event_type": "Skirmish"}, "sub-event type"),
        ({"event_type": "Riots"}, "does not contain"),  # Riots has no 'overtakes territory'
        ({"event_type": "Battles", "sub_event_type": "Peaceful protest"}, "does not contain"),
        ({"inter1": "Insurgents"}, "inter category"),
        ({"geo_precision": 4}, "outside"),
        ({"time_precision": 0}, "outside"),
        ({"geo_precision": True}, "whole number"),
        ({"event_date": "13/07/2021"}, "ISO date"),
        ({"event_date": "2021-02-30"}, "ISO date"),
        ({"fatalities": -1}, "outside"),
        ({"fatalities": 10**12}, "outside"),
        ({"notes": "one\x00two"}, "NUL"),
        ({"fatalities": "many"}, "whole number"),
        ({"fatalities_low": 9, "fatalities_high": 3}, "greater"),
        ({"latitude": 123.0}, "outside"),
        ({"certainty": "rumoured"}, "one of"),
        ({"admin2": "x" * 500}, "longer"),
        ({}, "at least one"),
    ],
)
def test_invalid_corrections_are_refused_and_change_nothing(store: Store, fields: dict, message: str) -> None:
    r = Reviews(store)
    with pytest.raises(ReviewError, match=message):
        r.review("cap1", "correct", "alice", fields)
    assert r.overlay("cap1") is None and r.audit()[1] == 0


def test_bad_actions_and_unknown_events(store: Store) -> None:
    r = Reviews(store)
    with pytest.raises(ReviewError):
        r.review("cap1", "delete", "alice")
    with pytest.raises(ReviewError, match="only a correction"):
        r.review("cap1", "confirm", "alice", {"fatalities": 2})
    with pytest.raises(ReviewNotFound):
        r.review("no-such-event", "confirm", "alice")
    with pytest.raises(ReviewNotFound):
        r.revert(12345, "alice")
    with pytest.raises(ReviewError, match="NUL"):  # PostgreSQL text cannot hold one: refused, not a crash
        r.review("cap1", "confirm", "alice", note="fine\x00print")
    assert r.audit()[1] == 0


def test_valid_vocabulary_is_accepted(store: Store) -> None:
    r = Reviews(store)
    r.review("clash2", "correct", "alice", {"inter2": "Civilians", "geo_precision": 2, "time_precision": 3,
                                            "fatalities": 0, "latitude": 31.5, "certainty": "claimed"})  # fmt: skip
    ev = _one(store, "clash2")
    assert ev.interaction == "Rebel group-Civilians" and ev.geo_precision == 2 and ev.certainty == "claimed"


# ---------------------------------------------------------------------------------------------- over the API


@pytest.fixture
def api(store: Store, db_url: str) -> Iterator[tuple[TestClient, dict[str, str]]]:
    secret = create_token(db_url, "analyst one")
    with TestClient(create_app(db_url)) as c:
        yield c, {"Authorization": f"Bearer {secret}"}


def _row(c: TestClient, event_id: str, **params: object) -> dict | None:
    items = c.get("/api/events", params=params).json()["items"]
    return next((e for e in items if e["event_id"] == event_id), None)


def test_api_correct_shows_everywhere(api: tuple[TestClient, dict[str, str]]) -> None:
    c, auth = api
    row = _row(c, "cap1")
    assert row["review_status"] == "unreviewed" and row["analyst_fields"] == []
    etag = c.get(f"/api/events/{row['id']}").headers["etag"]
    body = {"action": "correct", "fields": {"admin2": "Daman", "fatalities": 8}, "note": "per the governor"}
    r = c.post(f"/api/events/{row['id']}/review", json=body, headers=auth)
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["admin2"], out["fatalities"], out["review_status"]) == ("Daman", 8, "corrected")
    assert out["analyst_fields"] == ["admin2", "fatalities"] and out["evidence"] and out["document"]
    # the cached detail is not served stale after the write
    again = c.get(f"/api/events/{row['id']}", headers={"If-None-Match": etag})
    assert again.status_code == 200 and again.json()["admin2"] == "Daman"
    listed = _row(c, "cap1")
    assert listed["admin2"] == "Daman" and listed["analyst_fields"] == ["admin2", "fatalities"]
    assert _row(c, "cap1", admin2="daman") is not None and _row(c, "cap1", admin2="Spin Boldak") is None
    assert c.get("/api/events", params={"admin2": "Spin Boldak"}).json()["total"] == 0
    months = {m["key"]: m for m in c.get("/api/casualties").json()}
    assert months["2021-07"]["fatalities"] == 9
    feats = {f["properties"]["code"]: f["properties"] for f in c.get("/api/control").json()["features"]}
    assert feats[DAMAN]["state"] != "government" and feats[SPIN]["state"] == "government"


def test_api_reject_hides_unless_asked(api: tuple[TestClient, dict[str, str]]) -> None:
    c, auth = api
    row = _row(c, "cap1")
    r = c.post(f"/api/events/{row['id']}/review", json={"action": "reject"}, headers=auth)
    assert r.status_code == 200 and r.json()["review_status"] == "rejected"
    assert _row(c, "cap1") is None and c.get("/api/events").json()["total"] == 1
    assert _row(c, "cap1", include_rejected="true")["review_status"] == "rejected"
    assert c.get("/api/events", params={"include_rejected": "true"}).json()["total"] == 2
    assert c.get(f"/api/events/{row['id']}").json()["review_status"] == "rejected"  # detail still answers
    feats = {f["properties"]["code"]: f["properties"] for f in c.get("/api/control").json()["features"]}
    assert feats[SPIN]["state"] == "government"


def test_api_errors(api: tuple[TestClient, dict[str, str]]) -> None:
    c, auth = api
    row_id = _row(c, "cap1")["id"]
    assert c.post("/api/events/999999/review", json={"action": "confirm"}, headers=auth).status_code == 404
    for body in (
        {"action": "correct", "fields": {"geo_precision": 5}},
        {"action": "correct", "fields": {"sub_event_type": "Peaceful protest", "event_type": "Battles"}},
        {"action": "correct", "fields": {"nonsense": 1}},
        {"action": "confirm", "fields": {"fatalities": 1}},
        {"action": "approve"},
        {"fields": {"fatalities": 1}},
    ):
        r = c.post(f"/api/events/{row_id}/review", json=body, headers=auth)
        assert r.status_code == 422 and "detail" in r.json(), body
    assert c.post("/api/audit/424242/revert", headers=auth).status_code == 404
    assert c.get("/api/audit").json() == {"items": [], "total": 0}


def test_api_audit_and_revert(api: tuple[TestClient, dict[str, str]]) -> None:
    c, auth = api
    cap, clash = _row(c, "cap1")["id"], _row(c, "clash2")["id"]
    c.post(
        f"/api/events/{cap}/review", json={"action": "correct", "fields": {"fatalities": 11}}, headers=auth
    )
    c.post(f"/api/events/{clash}/review", json={"action": "confirm"}, headers=auth)
    c.post(f"/api/events/{cap}/review", json={"action": "confirm", "note": "ok"}, headers=auth)
    log = c.get("/api/audit").json()
    assert log["total"] == 3 and [i["action"] for i in log["items"]] == ["confirm", "confirm", "correct"]
    assert all(i["reviewer"] == "analyst one" and i["at"].endswith("+00:00") for i in log["items"])
    mine = c.get("/api/audit", params={"event_id": "cap1"}).json()
    assert mine["total"] == 2 and {i["event_id"] for i in mine["items"]} == {"cap1"}
    page = c.get("/api/audit", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 3 and [i["id"] for i in page["items"]] == [log["items"][1]["id"]]
    correction = log["items"][2]
    assert correction["before"] == {"review_status": "unreviewed", "fatalities": 4}
    assert correction["after"] == {"review_status": "corrected", "fatalities": 11}
    r = c.post(f"/api/audit/{correction['id']}/revert", json={"note": "source misread"}, headers=auth)
    assert r.status_code == 200 and r.json()["fatalities"] == 4 and r.json()["analyst_fields"] == []
    assert r.json()["review_status"] == "confirmed"  # the later confirmation stands
    top = c.get("/api/audit").json()["items"][0]
    assert top["action"] == "revert" and top["note"] == "source misread"
    assert c.get("/api/audit").json()["items"][3]["reverted_by"] == top["id"]
    assert c.post(f"/api/audit/{correction['id']}/revert", headers=auth).status_code == 409


def test_concurrent_reviews_of_one_event_all_land(store: Store) -> None:
    from concurrent.futures import ThreadPoolExecutor

    url = store.engine.url.render_as_string(hide_password=False)

    def act(i: int) -> int:  # a store of its own per call: only the database's locks keep order
        with open_store(url) as s:
            if i % 2:
                return Reviews(s).review("cap1", "correct", f"analyst {i}", {"fatalities": i})
            return Reviews(s).review("cap1", "confirm", f"analyst {i}")

    with ThreadPoolExecutor(8) as pool:
        ids = list(pool.map(act, range(16)))
    items, total = Reviews(store).audit("cap1")
    assert total == 16 and len(set(ids)) == 16
    # each entry's "before" is the state the previous one left: the log replays without gaps
    chain = sorted(items, key=lambda i: i["id"])
    for prev, nxt in zip(chain, chain[1:], strict=False):
        assert nxt["before"]["review_status"] == prev["after"]["review_status"]
