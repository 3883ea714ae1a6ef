"""Territorial control state machine on our own events, key sites, the command, and the demo corpus."""

from __future__ import annotations

import glob
from datetime import date
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from frontlines.records import Document, Event, Evidence
from frontlines.views.control import (
    control_as_of,
    control_command,
    counts_over_time,
    first_captures,
    key_sites_as_of,
    load_key_sites,
)

TAL, ANA = "Taliban", "Military Forces of Afghanistan (2014-2021)"
SPIN, ARGH, DAMAN, MAIWAND = "AF.23.2411", "AF.23.2404", "AF.23.2402", "AF.23.2407"
_n = iter(range(10_000))


def ev(day: str, sub: str, admin2: str, actor1: str | None = TAL, actor2: str | None = ANA, *,
       certainty: str = "reported", location: str | None = None) -> Event:  # fmt: skip
    i = next(_n)
    state = {TAL: "Rebel group", ANA: "State forces"}
    text = f"report {i}: {sub} in {admin2} on {day}"
    return Event(
        doc_id=f"d{i}", event_id=f"e{i:04d}", event_date=day, time_precision=1, sub_event_type=sub,
        actor1=actor1, inter1=state.get(actor1), actor2=actor2, inter2=state.get(actor2), country="Afghanistan",
        iso3="AFG", admin1="Kandahar", admin2=admin2, location=location or admin2, certainty=certainty,  # type: ignore[arg-type]
        evidence=[Evidence(f"d{i}", 0, len(text), text, ["sub_event_type"])],
    )  # fmt: skip


CAPTURE, REGAIN, CLASH = "Non-state actor overtakes territory", "Government regains territory", "Armed clash"
STORY = [
    ev("2021-06-01", CLASH, "Spin Boldak"),
    ev("2021-06-10", CAPTURE, "Spin Boldak"),
    ev("2021-06-12", "Air/drone strike", "Spin Boldak", ANA, TAL),  # strikes on the holder: still held
    ev("2021-06-20", REGAIN, "Spin Boldak", ANA, TAL),
    ev("2021-07-01", CAPTURE, "Spin Boldak"),
    ev("2021-06-05", CAPTURE, "Arghandab"),  # held a day: a clash
    ev("2021-06-06", REGAIN, "Arghandab", ANA, TAL),
    ev("2021-06-08", CAPTURE, "Daman", certainty="claimed"),
    ev("2021-06-15", CAPTURE, "Daman"),  # the claim confirmed
]


def state_of(code: str, day: str, **kw) -> object:
    (d,) = [s for s in control_as_of(STORY, date.fromisoformat(day), **kw) if s.code == code]
    return d


@pytest.mark.parametrize(
    ("day", "state", "holder"),
    [
        ("2021-05-30", "government", None),
        ("2021-06-01", "contested", None),
        ("2021-06-10", "held", TAL),
        ("2021-06-12", "held", TAL),
        ("2021-06-25", "government", ANA),
        ("2021-07-01", "held", TAL),
        ("2021-07-20", "held", TAL),
    ],
)
def test_captured_contested_recaptured_captured_again(day: str, state: str, holder: str | None) -> None:
    d = state_of(SPIN, day)
    assert (d.state, d.holder) == (state, holder)
    assert d.layer.startswith("geonames-adm2")


def test_state_carries_its_events_and_evidence() -> None:
    d = state_of(SPIN, "2021-06-15")
    assert d.since == "2021-06-10" and d.last_event_date == "2021-06-12"
    assert len(d.event_ids) == 2 and d.rule == "4:holder-defends"
    assert all(e.text.startswith("report") for e in d.evidence) and len(d.evidence) == 2


def test_one_day_hold_is_a_clash() -> None:
    d = state_of(ARGH, "2021-06-07")
    assert d.state == "contested" and d.rule.startswith("3:one-day-hold")
    assert ARGH not in first_captures(STORY)


def test_claimed_capture_is_unconfirmed_until_reported() -> None:
    d = state_of(DAMAN, "2021-06-09")
    assert (d.state, d.holder) == ("unconfirmed", TAL)
    d = state_of(DAMAN, "2021-06-16")
    assert (d.state, d.holder, d.since) == ("held", TAL, "2021-06-15")


def test_aging_and_initial_state() -> None:
    d = state_of(SPIN, "2021-08-15")  # 45 days without reports
    assert (d.state, d.aged_from, d.holder) == ("unconfirmed", "held", TAL)
    assert state_of(SPIN, "2021-08-15", max_age_days=None).state == "held"
    assert state_of(MAIWAND, "2021-08-15").state == "government"
    assert state_of(MAIWAND, "2021-08-15", initial="unknown").state == "unknown"


def test_order_independent_and_all_districts() -> None:
    a = control_as_of(STORY, date(2021, 7, 2))
    b = control_as_of(list(reversed(STORY)), date(2021, 7, 2))
    assert [(s.code, s.state, s.holder) for s in a] == [(s.code, s.state, s.holder) for s in b]
    assert len(a) == 398


def test_first_captures_and_counts_over_time() -> None:
    assert first_captures(STORY) == {SPIN: date(2021, 6, 10), DAMAN: date(2021, 6, 15)}
    rows = counts_over_time(STORY, date(2021, 6, 1), date(2021, 7, 1), step_days=14)
    assert [r["date"] for r in rows] == ["2021-06-01", "2021-06-15", "2021-06-29", "2021-07-01"]
    assert [(r["held"], r["contested"], r["unconfirmed"]) for r in rows] == [(0, 1, 0), (2, 1, 0), (1, 1, 0),
                                                                             (2, 1, 0)]  # fmt: skip
    assert all(r["total"] == 398 == sum(r[k] for k in ("government", "held", "contested", "unconfirmed",
                                                       "unknown")) for r in rows)  # fmt: skip


def test_key_sites_file() -> None:
    rows = load_key_sites()
    kinds = [r["kind"] for r in rows]
    assert kinds.count("provincial_capital") == 34
    assert {"Islam Qala", "Torghundi", "Sher Khan Bandar", "Hairatan", "Torkham"} <= {r["name"] for r in rows}
    assert all(r["source"] and r["gazetteer_code"] for r in rows)
    from frontlines.geo.gazetteer import get_gazetteer

    g = get_gazetteer()
    assert all(g.by_code(r["gazetteer_code"]) is not None for r in rows)


def test_key_sites_state() -> None:
    evs = [
        ev("2021-07-11", CAPTURE, "Spin Boldak", location="Spin Boldak crossing"),
        ev("2021-07-05", CAPTURE, "Kandahar", location="Kandahar", certainty="claimed"),
    ]
    sites = {s.site_id: s for s in key_sites_as_of(evs, date(2021, 7, 12))}
    assert (sites["spin-boldak-crossing"].state, sites["spin-boldak-crossing"].holder) == ("held", TAL)
    assert sites["spin-boldak-crossing"].attributes["borders"] == "Pakistan"
    assert sites["capital-kandahar"].state == "unconfirmed"
    assert sites["torkham"].state == "government" and sites["torkham"].since is None


@pytest.fixture()
def story_db(tmp_path) -> str:
    from frontlines.store.db import open_store

    url = f"sqlite:///{tmp_path / 'c.db'}"
    with open_store(url) as store:
        for e in STORY:
            row, _ = store.add_document(Document(id=e.doc_id, text=e.evidence[0].text))
            store.save_extraction(row, [e], "test")
    return url


def test_command_formats(story_db: str) -> None:
    import csv
    import io
    import json

    app = typer.Typer()
    app.command()(control_command)
    r = CliRunner().invoke(app, ["--as-of", "2021-07-02", "--db", story_db, "--format", "csv"])
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.output)))
    assert len(rows) == 398
    by = {x["code"]: x for x in rows}
    assert (by[SPIN]["state"], by[SPIN]["holder"]) == ("held", TAL)
    r = CliRunner().invoke(app, ["--as-of", "2021-07-02", "--db", story_db, "--format", "geojson"])
    fc = json.loads(r.output)
    assert len(fc["features"]) == 398 and fc["metadata"]["counts"]["held"] == 2
    (spin,) = [f for f in fc["features"] if f["properties"]["code"] == SPIN]
    assert spin["geometry"]["type"] == "Point"  # no polygons imported: the gazetteer's district centre
    r = CliRunner().invoke(app, ["--as-of", "2021-07-02", "--db", story_db])
    assert r.exit_code == 0 and "Spin Boldak" in r.output and "layer: geonames-adm2" in r.output
    assert CliRunner().invoke(app, ["--as-of", "July", "--db", story_db]).exit_code == 2


def test_command_geojson_uses_imported_polygons(story_db: str) -> None:
    import json

    from frontlines.geo.boundaries import import_boundaries
    from frontlines.store.db import open_store

    with open_store(story_db) as store:
        import_boundaries(Path(__file__).parent / "fixtures" / "control" / "two_squares.geojson", store,
                          layer_name="squares", iso3="AFG")  # fmt: skip
    app = typer.Typer()
    app.command()(control_command)
    r = CliRunner().invoke(app, ["--as-of", "2021-07-02", "--db", story_db, "--format", "geojson"])
    fc = json.loads(r.output)
    (spin,) = [f for f in fc["features"] if f["properties"]["code"] == SPIN]
    assert spin["geometry"]["type"] == "Polygon" and "squares" in fc["metadata"]["layer"]


def test_demo_corpus_counts(tmp_path) -> None:
    from frontlines.ingest.service import ingest
    from frontlines.store.db import open_store

    root = Path(__file__).resolve().parents[1] / "examples" / "afghanistan-2021"
    paths = sorted(glob.glob(str(root / "*")))
    if not paths:
        pytest.skip("demo corpus missing")
    with open_store(f"sqlite:///{tmp_path / 'demo.db'}") as store:
        ingest(paths, store)
        events = list(store.iter_events())
    for day in (date(2021, 6, 16), date(2021, 7, 27), date(2021, 8, 15)):
        states = control_as_of(events, day)
        counts = {
            k: sum(s.state == k for s in states) for k in ("held", "contested", "government", "unconfirmed")
        }
        print(f"demo corpus {day}: {counts} of {len(states)}")
        assert sum(counts.values()) == 398
    assert first_captures(events)
