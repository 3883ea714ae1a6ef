"""Key sites on a date (frontlines sites): the bundled file, a user's file with customs revenue shares."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from frontlines.records import Document, Event, Evidence
from frontlines.views.control import key_sites_as_of
from frontlines.views.sites import read_sites_file, revenue_by_holder

TAL, ANA = "Taliban", "Military Forces of Afghanistan (2014-2021)"
CAPTURE = "Non-state actor overtakes territory"


def _capture(i: int, day: str, location: str, admin1: str, admin2: str) -> Event:
    text = f"Taliban fighters captured {location} on {day}."
    return Event(
        doc_id=f"s{i}", event_id=f"site{i}", event_date=day, time_precision=1, sub_event_type=CAPTURE,
        actor1=TAL, inter1="Rebel group", actor2=ANA, inter2="State forces", country="Afghanistan", iso3="AFG",
        admin1=admin1, admin2=admin2, location=location, geo_precision=1,
        evidence=[Evidence(f"s{i}", 0, len(text), text, ["sub_event_type", "location"])],
    )  # fmt: skip


EVENTS = [
    _capture(1, "2021-07-08", "Islam Qala", "Herat", "Kohsan"),
    _capture(2, "2021-07-14", "Spin Boldak crossing", "Kandahar", "Spin Boldak"),
]


def _sites_csv(path: Path, shares: dict[str, str]) -> Path:
    # Made-up shares for the test: the bundled file carries none.
    rows = [
        {"id": "islam-qala", "name": "Islam Qala", "kind": "border_crossing", "admin1": "Herat",
         "customs_revenue_share": shares.get("islam-qala", "")},
        {"id": "spin-boldak-crossing", "name": "Spin Boldak crossing", "kind": "border_crossing",
         "admin1": "Kandahar", "customs_revenue_share": shares.get("spin-boldak-crossing", "")},
        {"id": "torkham", "name": "Torkham", "kind": "border_crossing", "admin1": "Nangarhar",
         "customs_revenue_share": shares.get("torkham", "")},
    ]  # fmt: skip
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def test_revenue_shares_sum_by_holder(tmp_path: Path) -> None:
    sites = read_sites_file(_sites_csv(tmp_path / "s.csv", {"islam-qala": "0.2", "spin-boldak-crossing": "0.1",
                                                              "torkham": "0.3"}))  # fmt: skip
    before = revenue_by_holder(key_sites_as_of(EVENTS, date(2021, 7, 10), sites=sites))
    after = revenue_by_holder(key_sites_as_of(EVENTS, date(2021, 7, 15), sites=sites))
    assert {(r["state"], r["holder"]): r["customs_revenue_share"] for r in before} == {
        ("held", TAL): 0.2,
        ("government", None): 0.4,
    }
    assert {(r["state"], r["holder"]): (r["sites"], r["customs_revenue_share"]) for r in after} == {
        ("held", TAL): (2, 0.3),
        ("government", None): (1, 0.3),
    }


@pytest.mark.parametrize(
    "content, message",
    [
        ("id,name\nx,X\n", "missing column(s) kind"),
        ("id,name,kind,customs_revenue_share\nx,X,border_crossing,a lot\n", "is not a number"),
        ("id,name,kind,customs_revenue_share\nx,X,border_crossing,25\n", "between 0 and 1"),
    ],
)
def test_bad_sites_file_is_named_with_the_reason(tmp_path: Path, content: str, message: str) -> None:
    p = tmp_path / "bad.csv"
    p.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        read_sites_file(p)


@pytest.fixture()
def store_url(tmp_path: Path) -> str:
    from frontlines.store.db import open_store

    url = f"sqlite:///{tmp_path / 'sites.db'}"
    with open_store(url) as store:
        for e in EVENTS:
            row, _ = store.add_document(Document(id=e.doc_id, text=e.evidence[0].text))
            store.save_extraction(row, [e], "test")
    return url


def test_sites_command(store_url: str, tmp_path: Path) -> None:
    from frontlines.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["sites", "--db", store_url, "--as-of", "2021-07-15", "--kind", "border_crossing",
                              "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    by_id = {s["site_id"]: s for s in out["sites"]}
    assert (by_id["islam-qala"]["state"], by_id["islam-qala"]["holder"]) == ("held", TAL)
    assert by_id["islam-qala"]["evidence"][0]["text"].startswith("Taliban fighters captured Islam Qala")
    assert by_id["torkham"]["state"] == "government"
    assert {s["kind"] for s in out["sites"]} == {"border_crossing"}
    assert out["customs_revenue_by_holder"] == []  # the bundled file has no shares

    mine = _sites_csv(tmp_path / "mine.csv", {"islam-qala": "0.25"})
    res = runner.invoke(app, ["sites", "--db", store_url, "--as-of", "2021-07-15", "--sites", str(mine)])
    assert res.exit_code == 0, res.output
    assert "25.0%" in res.output and "Taliban" in res.output

    res = runner.invoke(app, ["sites", "--db", store_url, "--sites", str(tmp_path / "missing.csv")])
    assert res.exit_code == 2 and "missing.csv" in res.output
