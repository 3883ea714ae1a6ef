"""`frontlines ingest` end to end on SQLite and PostgreSQL: storage, idempotency, rejections, exit codes.

Extraction is someone else's component; these tests use `FakeExtractor`, a test double that makes one Event
per document (its first word as evidence), to check how the records are stored, never what they say.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import types
from collections.abc import Iterable, Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from frontlines.cli import app
from frontlines.ingest.service import ingest, ingest_command, parse_published
from frontlines.records import Document, Event, Evidence, Record, stable_id
from frontlines.store import open_store

CORPUS = Path(__file__).parent / "fixtures" / "ingest" / "corpus"
N_CORPUS = 8  # documents in the corpus folder: 2 feed entries, md, html, 3 jsonl lines, txt
REPO = Path(__file__).resolve().parent.parent


class FakeExtractor:
    """Test double: one Event per document; `fail_on` makes documents containing that word raise."""

    def __init__(self, fail_on: str | None = None) -> None:
        self.seen: list[str] = []
        self.fail_on = fail_on

    def extract(self, doc: Document) -> list[Record]:
        self.seen.append(doc.id)
        if self.fail_on and self.fail_on in doc.text:
            raise RuntimeError("fake extractor failure")
        end = doc.text.find(" ") if " " in doc.text else len(doc.text)
        return [
            Event(doc.id, event_id=stable_id(doc.id, "e"), evidence=[Evidence.of(doc, 0, end, ["location"])])
        ]

    def pipe(self, docs: Iterable[Document], batch_size: int = 32) -> Iterator[tuple[Document, list[Record]]]:
        for d in docs:
            yield d, self.extract(d)


@pytest.fixture
def fake_extractor(monkeypatch: pytest.MonkeyPatch) -> FakeExtractor:
    """Install FakeExtractor as `frontlines.extract.pipeline.get_extractor` (whatever state that module is in)."""
    fake = FakeExtractor()
    mod = types.ModuleType("frontlines.extract.pipeline")
    mod.get_extractor = lambda: fake  # type: ignore[attr-defined]
    mod.EXTRACTOR_VERSION = "fake-1"  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "frontlines.extract.pipeline", mod)
    import frontlines.extract

    monkeypatch.setattr(frontlines.extract, "pipeline", mod, raising=False)
    return fake


def bad_inputs(tmp_path: Path) -> Path:
    d = tmp_path / "bad"
    d.mkdir()
    (d / "a-good.txt").write_text("Officials said a convoy reached Bamyan on Monday.", encoding="utf-8")
    (d / "b-binary.txt").write_bytes(b"\x00\x01\x02binary")
    (d / "c-empty.md").write_text("   \n", encoding="utf-8")
    (d / "d-date.md").write_text("---\npublished: 2021-13-45\n---\nA report.", encoding="utf-8")
    (d / "e-lines.jsonl").write_text(
        '{"id": "j1", "text": "A good line."}\nnot json\n{"id": "j3"}\n{"id": "j4", "text": "Another good line."}\n',
        encoding="utf-8",
    )
    return d


def test_corpus_stored_and_idempotent(db_url: str, fake_extractor: FakeExtractor, capsys) -> None:
    assert ingest_command([str(CORPUS)], db_url=db_url, published=None) == 0
    out = capsys.readouterr().out
    assert f"stored {N_CORPUS} new, 0 unchanged, 0 rejected, {N_CORPUS} events, 0 claims" in out
    with open_store(db_url) as s:
        first = s.counts()
        assert first == {
            "documents": N_CORPUS,
            "events": N_CORPUS,
            "claims": 0,
            "evidence": N_CORPUS,
            "rejections": 0,
        }
        for ev in s.iter_events():
            d = s.get_document(doc_id=ev.doc_id)
            assert d is not None and d.text[ev.evidence[0].start : ev.evidence[0].end] == ev.evidence[0].text
    assert len(fake_extractor.seen) == N_CORPUS

    # Same corpus again: nothing new stored, nothing re-extracted (same extractor version).
    assert ingest_command([str(CORPUS)], db_url=db_url, published=None) == 0
    assert f"stored 0 new, {N_CORPUS} unchanged, 0 rejected, 0 events, 0 claims" in capsys.readouterr().out
    assert len(fake_extractor.seen) == N_CORPUS
    with open_store(db_url) as s:
        assert s.counts() == first


def test_new_extractor_version_re_extracts_in_place(db_url: str, tmp_path: Path) -> None:
    with open_store(db_url) as s:
        ingest([str(CORPUS)], s, extractor=FakeExtractor(), extractor_version="1")
        fake2 = FakeExtractor()
        stats = ingest([str(CORPUS)], s, extractor=fake2, extractor_version="2")
        assert (stats.new, stats.unchanged, stats.extracted) == (0, N_CORPUS, N_CORPUS)
        assert len(fake2.seen) == N_CORPUS
        assert s.counts()["events"] == N_CORPUS  # replaced, not added


def test_duplicate_content_in_one_run_is_stored_and_extracted_once(db_url: str, tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("The same report, twice.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("The  same report,\ntwice.", encoding="utf-8")  # same normalised text
    fake = FakeExtractor()
    with open_store(db_url) as s:
        stats = ingest([str(tmp_path)], s, extractor=fake)
        assert (stats.new, stats.unchanged) == (1, 1)
        assert fake.seen == [str(tmp_path / "a.txt")]
        assert s.counts()["documents"] == 1


def test_bad_inputs_rejected_batch_continues(
    db_url: str, tmp_path: Path, fake_extractor: FakeExtractor, capsys
) -> None:
    d = bad_inputs(tmp_path)
    missing = str(tmp_path / "missing.txt")
    assert ingest_command([missing, str(d)], db_url=db_url, published="2021-07-01") == 1
    cap = capsys.readouterr()
    lines = [ln for ln in cap.err.splitlines() if ln.startswith("frontlines: rejected")]
    assert lines == [
        f"frontlines: rejected {missing}: no such file or directory",
        f"frontlines: rejected {d / 'b-binary.txt'}: not UTF-8 text (binary?)",
        f"frontlines: rejected {d / 'c-empty.md'}: empty document",
        f"frontlines: rejected {d / 'd-date.md'}: unparseable published date '2021-13-45'",
        f"frontlines: rejected {d / 'e-lines.jsonl'}:2: invalid JSON: Expecting value (column 1)",
        f"frontlines: rejected {d / 'e-lines.jsonl'}:3: missing 'text'",
    ]
    assert "stored 3 new, 0 unchanged, 6 rejected, 3 events, 0 claims" in cap.out
    with open_store(db_url) as s:
        c = s.counts()
        assert (c["documents"], c["events"], c["rejections"]) == (3, 3, 6)
        docs = [doc for _, doc in s.iter_documents()]
        assert [x.id for x in docs] == [str(d / "a-good.txt"), "j1", "j4"]
        assert all(x.published is not None and x.published.isoformat() == "2021-07-01" for x in docs)

    # Rejected again: the rejection rows are updated, not duplicated.
    assert ingest_command([missing, str(d)], db_url=db_url, published=None) == 1
    with open_store(db_url) as s:
        assert s.counts()["rejections"] == 6
        assert {r["count"] for r in s.iter_rejections()} == {2}


def test_extraction_failure_costs_only_that_document(db_url: str, tmp_path: Path, capsys) -> None:
    (tmp_path / "a.txt").write_text("Report alpha about a clash.", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Report POISON that breaks the extractor.", encoding="utf-8")
    (tmp_path / "c.txt").write_text("Report gamma about a convoy.", encoding="utf-8")
    with open_store(db_url) as s:
        stats = ingest([str(tmp_path)], s, extractor=FakeExtractor(fail_on="POISON"))
        assert (stats.new, stats.extracted, stats.failed, stats.events) == (3, 2, 1, 2)
        assert s.counts()["events"] == 2 and s.counts()["documents"] == 3
        # The failed document stays unextracted, so the next run retries it.
        assert [d.id for _, d in s.iter_documents(extracted=False)] == [str(tmp_path / "b.txt")]
        fixed = FakeExtractor()
        stats = ingest([str(tmp_path)], s, extractor=fixed)
        assert fixed.seen == [str(tmp_path / "b.txt")] and s.counts()["events"] == 3
    assert "extraction failed for" in capsys.readouterr().err


def test_no_extract_stores_documents_only(db_url: str) -> None:
    assert ingest_command([str(CORPUS)], db_url=db_url, published=None, extract=False) == 0
    with open_store(db_url) as s:
        assert s.counts()["documents"] == N_CORPUS and s.counts()["events"] == 0


@pytest.mark.parametrize("bad", ["2021-13-45", "July 2021", "21-07-01"])
def test_bad_published_is_a_usage_error(tmp_path: Path, bad: str, capsys) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    assert ingest_command([str(CORPUS)], db_url=db, published=bad, extract=False) == 2
    assert "--published" in capsys.readouterr().err
    assert not (tmp_path / "s.db").exists()  # nothing was opened


def test_parse_published() -> None:
    assert parse_published(None) is None
    assert parse_published("2021-07-09").isoformat() == "2021-07-09"  # type: ignore[union-attr]


# ------------------------------------------------------------------------------------------------ the CLI


def test_cli_ingest(db_url: str, tmp_path: Path, fake_extractor: FakeExtractor) -> None:
    runner = CliRunner()
    res = runner.invoke(app, ["ingest", str(CORPUS), "--db", db_url])
    assert res.exit_code == 0, res.output
    assert f"stored {N_CORPUS} new" in res.stdout
    d = bad_inputs(tmp_path)
    res = runner.invoke(app, ["ingest", str(d), "--db", db_url, "--no-extract"])
    assert res.exit_code == 1
    assert f"frontlines: rejected {d / 'b-binary.txt'}: not UTF-8 text (binary?)" in res.stderr
    res = runner.invoke(app, ["ingest", str(CORPUS), "--db", db_url, "--published", "soon"])
    assert res.exit_code == 2


def test_cli_stdin(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 's.db'}"
    res = CliRunner().invoke(
        app,
        ["ingest", "-", "--db", db, "--no-extract", "--published", "2021-07-09"],
        input='{"id": "s1", "text": "From stdin one."}\n{"id": "s2", "text": "From stdin two."}\n',
    )
    assert res.exit_code == 0, res.output
    with open_store(db) as s:
        assert [d.id for _, d in s.iter_documents()] == ["s1", "s2"]


def test_installed_command_subprocess(tmp_path: Path) -> None:
    exe = REPO / ".venv" / "bin" / "frontlines"
    if not exe.exists():
        exe_s = shutil.which("frontlines")
        if exe_s is None:
            pytest.skip("no installed frontlines command")
        exe = Path(exe_s)
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    cmd = [str(exe), "ingest", str(CORPUS), str(tmp_path / "nope.txt"), "--db", db, "--no-extract"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert p.returncode == 1, p.stderr
    assert f"frontlines: rejected {tmp_path / 'nope.txt'}: no such file or directory" in p.stderr
    assert f"stored {N_CORPUS} new, 0 unchanged, 1 rejected" in p.stdout
    assert "\x1b[" not in p.stderr  # no progress bar or colour when stderr is not a terminal


def test_extractor_version_follows_the_rules(tmp_path: Path) -> None:
    # A stored document is extracted again when the version changes, so an edit to a lexicon must
    # change it: the version carries a digest of the extractor's code and data files.
    from frontlines.extract import pipeline

    lexicon = tmp_path / "triggers.yaml"
    lexicon.write_text("entries: []\n", encoding="utf-8")
    before = pipeline.rules_digest([lexicon])
    lexicon.write_text("entries: [{type: Attack}]\n", encoding="utf-8")
    assert pipeline.rules_digest([lexicon]) != before
    files = pipeline._rule_files()
    assert {"triggers.yaml", "actors.yaml", "pipeline.py"} <= {p.name for p in files}
    assert pipeline.EXTRACTOR_VERSION.endswith("+rules." + pipeline.rules_digest(files))
