"""Casualties view (views/casualties.py): deaths from merged events, aggregate claims beside, never summed."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from frontlines.records import Event
from frontlines.store.db import open_store
from frontlines.views.casualties import casualties, casualties_command, casualty_table, victim_category
from frontlines.views.merge import merge_events

_spec = importlib.util.spec_from_file_location(
    "views_fixtures", Path(__file__).parent / "fixtures/views/load.py"
)
fixtures = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixtures)  # type: ignore[union-attr]

DOCS, EVENTS, CLAIMS = fixtures.load()
MERGED = merge_events(EVENTS, DOCS)


def test_by_month_counts_each_event_once_and_keeps_claims_apart() -> None:
    rows = {r["month"]: r for r in casualty_table(MERGED, CLAIMS, "month")}
    # Three reports of the school bombing are one event with the revised toll, not 58 + 85 + 200.
    assert rows["2021-05"]["events"] == 1 and rows["2021-05"]["fatalities"] == 85
    assert rows["2021-06"]["events"] == 2 and rows["2021-06"]["fatalities"] == 0
    # The half-year claims sit beside every month they cover and are not added to the sums.
    for month in ("2021-01", "2021-03", "2021-05", "2021-06"):
        assert {c["claimant"] for c in rows[month]["claims"]} == {"UN mission", "A ministry"}
    assert rows["2021-01"]["events"] == 0 and rows["2021-01"]["fatalities"] == 0
    assert "2021-07" not in rows  # territory claims are not casualty claims


def test_by_province() -> None:
    rows = casualty_table(MERGED, CLAIMS, "province")
    named = {r["province"]: r for r in rows if r["province"]}
    assert named["Kabul"]["fatalities"] == 85 and named["Kunduz"]["events"] == 2
    # Country-wide claims match no province: they go to the last row, with no events.
    assert rows[-1]["province"] is None and rows[-1]["events"] == 0
    assert {c["claimant"] for c in rows[-1]["claims"]} == {"UN mission", "A ministry"}


def test_by_category_puts_claim_counts_beside_their_category() -> None:
    rows = {r["category"]: r for r in casualty_table(MERGED, CLAIMS, "category")}
    assert rows["civilians"]["events"] == 1 and rows["civilians"]["fatalities"] == 85
    assert sorted(c["value"] for c in rows["civilians"]["claims"]) == [1000, 1659]
    assert rows["civilians"]["fatalities"] == 85  # claims not summed in


def test_victim_category() -> None:
    assert victim_category(Event("d", actor2="Civilians (Afghanistan)")) == "civilians"
    assert victim_category(Event("d", inter2="State forces")) == "security forces"
    assert victim_category(Event("d", inter2="Rebel group")) == "militants"
    assert victim_category(Event("d")) == "unknown"


def test_bad_grouping_is_refused() -> None:
    with pytest.raises(ValueError):
        casualty_table(MERGED, CLAIMS, "week")


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("casualties")(casualties_command)
    app.command("noop")(lambda: None)
    return app


def test_command_over_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        fixtures.store_fixture(store)
        direct = casualties(store, "month")
    runner = CliRunner()
    res = runner.invoke(_app(), ["casualties", "--by", "month", "--db", url, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == json.loads(json.dumps(direct, default=str))
    res = runner.invoke(_app(), ["casualties", "--by", "province", "--db", url, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(res.output)))
    assert {"province": "Kabul", "events": "1", "fatalities": "85"}.items() <= rows[0].items()
    res = runner.invoke(_app(), ["casualties", "--by", "category", "--db", url])
    assert res.exit_code == 0 and "civilians" in res.output and "UN mission" in res.output
    assert runner.invoke(_app(), ["casualties", "--by", "year", "--db", url]).exit_code == 2
