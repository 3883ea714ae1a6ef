"""Claims view (views/claims.py): figures grouped by metric and period, disagreements flagged."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from frontlines.records import Claim
from frontlines.store.db import open_store
from frontlines.views.claims import claims_command, claims_view, disagree, group_claims, period_of

_spec = importlib.util.spec_from_file_location(
    "views_fixtures", Path(__file__).parent / "fixtures/views/load.py"
)
fixtures = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixtures)  # type: ignore[union-attr]

_, _, CLAIMS = fixtures.load()


def c(value: float | None = None, **kw: object) -> Claim:
    return Claim("d", value=value, **kw)  # type: ignore[arg-type]


def test_groups_by_metric_and_period() -> None:
    rows = {(r["metric"], r["period"]): r for r in group_claims(CLAIMS)}
    assert set(rows) == {
        ("fatalities", "2021-01-01..2021-06-30"),
        ("territory_share", "2021-07"),
        ("districts_controlled", "2021-07"),
    }
    share = rows[("territory_share", "2021-07")]
    # Side by side, lowest first, with claimants; 65 vs 85 percent disagree.
    assert [(x["claimant"], x["value"]) for x in share["claims"]] == [
        ("European official", 65),
        ("Taliban", 85),
    ]
    assert share["disagree"] and share["disagreements"] == [[0, 1]]
    # "at least 1,000" does not contradict 1,659.
    assert not rows[("fatalities", "2021-01-01..2021-06-30")]["disagree"]
    assert rows[("districts_controlled", "2021-07")]["claims"][0]["share_percent"] == 37.5


def test_disagreement_rule() -> None:
    assert disagree(c(100, unit="people"), c(105, unit="people")) is False  # within 10%
    assert disagree(c(100, unit="people"), c(125, unit="people")) is True
    # Ranges: "one-third to one-half" meets 40 percent, not 85 percent.
    third_half = c(None, low=33.3, high=50, unit="percent")
    assert disagree(third_half, c(40, unit="percent")) is False
    assert disagree(third_half, c(85, unit="percent")) is True
    assert disagree(c(150, qualifier="at least", unit="districts"), c(224, unit="districts")) is False
    assert disagree(c(150, qualifier="at most", unit="districts"), c(224, unit="districts")) is True
    # A count out of a total compares with a percentage as a share.
    assert disagree(c(150, unit="districts", of=400), c(85, unit="percent")) is True
    assert disagree(c(200, unit="districts", of=400), c(50, unit="percent")) is False
    # Different units and no share: not comparable.
    assert disagree(c(20_000_000, unit="USD"), c(85, unit="percent")) is None


def test_period_of() -> None:
    assert period_of(c(1, as_of="2021-07-09")) == "2021-07"
    assert period_of(c(1, period_start="2021-05-01", period_end="2021-05-24")) == "2021-05-01..2021-05-24"
    assert period_of(c(1)) == "undated"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("claims")(claims_command)
    app.command("noop")(lambda: None)
    return app


def test_command_over_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    with open_store(url) as store:
        fixtures.store_fixture(store)
        direct = claims_view(store)
    runner = CliRunner()
    res = runner.invoke(_app(), ["claims", "--db", url, "--format", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.output) == json.loads(json.dumps(direct, default=str))
    res = runner.invoke(_app(), ["claims", "--db", url, "--format", "csv"])
    assert res.exit_code == 0 and res.output.startswith("metric,period,disagree,claimant")
    assert res.output.count("\n") == 1 + len(CLAIMS)
    res = runner.invoke(_app(), ["claims", "--db", url])
    assert res.exit_code == 0 and "European official" in res.output and "!" in res.output
    assert runner.invoke(_app(), ["claims", "--db", url, "--format", "xml"]).exit_code == 2
