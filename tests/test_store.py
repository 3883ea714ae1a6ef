"""The store on SQLite and PostgreSQL: migrations, idempotent writes, whole-document extraction replacement."""

from __future__ import annotations

import importlib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text

from frontlines.ingest.readers import Rejection
from frontlines.records import Claim, Document, Event, Evidence
from frontlines.store import Store, open_store
from frontlines.store.db import current_revision, head_revision

TEXT = "KABUL, Afghanistan (July 9, 2021) — Fighters attacked a checkpoint in Charikar; three soldiers died."


@pytest.fixture
def store(db_url: str) -> Store:
    s = open_store(db_url)
    yield s
    s.close()


def doc(text: str = TEXT, doc_id: str = "r1.txt") -> Document:
    return Document(id=doc_id, text=text, published=date(2021, 7, 9), title="T", origin=doc_id, fmt="text")


def records(d: Document, tag: str = "") -> list[Event | Claim]:
    i = d.text.index("Charikar")
    ev = Event(
        d.id,
        event_id=f"e1{tag}",
        event_date="2021-07-09",
        event_type="Battles",
        location="Charikar",
        fatalities=3,
        evidence=[Evidence.of(d, i, i + 8, ["location"]), Evidence.of(d, 0, 5)],
    )
    cl = Claim(
        d.id,
        claim_id=f"c1{tag}",
        metric="fatalities",
        value=3,
        as_of="2021-07-09",
        categories={"security forces": 3},
        evidence=[Evidence.of(d, d.text.index("three"), d.text.index("three") + 5, ["value"])],
    )
    return [ev, cl]


def test_migrations_create_every_table(store: Store) -> None:
    names = set(inspect(store.engine).get_table_names())
    assert {
        "documents",
        "events",
        "claims",
        "evidence",
        "actors",
        "places",
        "rejections",
        "alembic_version",
    } <= names
    assert current_revision(store.engine) == head_revision()


def test_reopening_is_harmless(db_url: str) -> None:
    with open_store(db_url) as s:
        s.add_document(doc())
    with open_store(db_url) as s:
        assert s.counts()["documents"] == 1


def test_sqlite_pragmas(tmp_path) -> None:
    with open_store(f"sqlite:///{tmp_path / 'sub' / 'x.db'}") as s, s.engine.connect() as c:
        assert c.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert c.execute(text("PRAGMA foreign_keys")).scalar() == 1


def test_add_document_is_idempotent_by_content_hash(store: Store) -> None:
    row, created = store.add_document(doc())
    assert created
    # Same text with different whitespace and a different path: the same report.
    again = doc(TEXT.replace(" ", "  "), doc_id="copy.txt")
    assert store.add_document(again) == (row, False)
    assert store.counts()["documents"] == 1
    got = store.get_document(row)
    assert got is not None and got.text == TEXT and got.published == date(2021, 7, 9)
    assert store.get_document(content_hash=doc().hash) == got
    assert store.get_document(doc_id="r1.txt") == got
    assert store.get_document(999) is None


def test_add_documents_batch(store: Store) -> None:
    docs = [doc(f"Report number {i}.", f"r{i}") for i in range(5)]
    res = store.add_documents(docs + docs[:2])
    assert [c for _, c in res] == [True] * 5 + [False] * 2
    assert res[5][0] == res[0][0]
    assert [d.id for _, d in store.iter_documents()] == [f"r{i}" for i in range(5)]


def test_save_extraction_round_trip(store: Store) -> None:
    d = doc()
    row, _ = store.add_document(d)
    recs = records(d)
    store.save_extraction(row, recs, "0.1.0")
    assert store.extractor_version_of(row) == "0.1.0"
    events = list(store.iter_events())
    claims = list(store.iter_claims())
    assert events == [recs[0]] and claims == [recs[1]]
    for ev in events[0].evidence:
        assert d.text[ev.start : ev.end] == ev.text
    assert store.counts() == {"documents": 1, "events": 1, "claims": 1, "evidence": 3, "rejections": 0}
    assert (
        list(store.iter_events(event_type="Battles", since=date(2021, 7, 9), until=date(2021, 7, 9)))
        == events
    )
    assert list(store.iter_events(since=date(2021, 7, 10))) == []
    assert list(store.iter_claims(metric="fatalities")) == claims
    assert [d for _, d in store.iter_documents(extracted=False)] == []


def test_re_extraction_replaces_not_duplicates(store: Store) -> None:
    d = doc()
    row, _ = store.add_document(d)
    store.save_extraction(row, records(d), "0.1.0")
    store.save_extraction(row, records(d), "0.1.0")
    assert store.counts()["events"] == 1 and store.counts()["evidence"] == 3
    store.save_extraction(row, records(d, tag="b")[:1], "0.2.0")
    assert [e.event_id for e in store.iter_events()] == ["e1b"]
    assert store.counts()["claims"] == 0 and store.counts()["evidence"] == 2
    assert store.extractor_version_of(row) == "0.2.0"


def test_failed_extraction_leaves_the_previous_one_whole(store: Store) -> None:
    d = doc()
    row, _ = store.add_document(d)
    store.save_extraction(row, records(d), "0.1.0")
    before = store.counts()
    good, bad = records(d, tag="x")
    bad.as_of = "9 July"  # not YYYY-MM-DD: the batch must fail as a whole
    with pytest.raises(ValueError, match="as_of"):
        store.save_extraction(row, [good, bad], "0.2.0")
    assert store.counts() == before
    assert store.extractor_version_of(row) == "0.1.0"
    # A database-level failure mid-write (second document's row does not exist) also rolls everything back.
    other, _ = store.add_document(doc("Another report entirely.", "r2"))
    with pytest.raises(KeyError):
        store.save_extractions([(other, records(d, tag="y")), (424242, [])], "0.3.0")
    assert store.counts()["events"] == before["events"]
    assert store.extractor_version_of(other) is None


def test_duplicate_ids_in_one_extraction_rejected(store: Store) -> None:
    d = doc()
    row, _ = store.add_document(d)
    ev = records(d)[0]
    with pytest.raises(ValueError, match="duplicate event id"):
        store.save_extraction(row, [ev, ev], "0.1.0")


def test_rejections_update_instead_of_duplicating(store: Store) -> None:
    r = Rejection("bad.txt", "empty document", None)
    store.add_rejection(r)
    store.add_rejection(r)
    store.add_rejection(Rejection("bad.txt", "not UTF-8 text (binary?)", "ab" * 32))
    rows = list(store.iter_rejections())
    assert store.counts()["rejections"] == 2
    assert rows[0]["count"] == 2 and rows[0]["last_seen"] >= rows[0]["first_seen"]
    assert rows[1]["count"] == 1 and rows[1]["content_hash"] == "ab" * 32


def test_deleting_a_document_cascades(store: Store) -> None:
    d = doc()
    row, _ = store.add_document(d)
    store.save_extraction(row, records(d), "0.1.0")
    with store.engine.begin() as c:
        c.execute(text("DELETE FROM documents WHERE id = :i"), {"i": row})
    assert store.counts() == {"documents": 0, "events": 0, "claims": 0, "evidence": 0, "rejections": 0}


def test_in_memory_sqlite() -> None:
    with open_store("sqlite://") as s:
        s.add_document(doc())
        assert s.counts()["documents"] == 1


def test_models_match_the_migrations(db_url: str) -> None:
    """A model change without a new Alembic revision fails here."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    query_indexes = importlib.import_module("frontlines.store.migrations.versions.0004_query_indexes")

    from frontlines.store.models import Base

    # Revision 0004's query indexes (expressions, partial orders, SQLite FTS5 shadow tables, pg_trgm) live in the
    # migration only: the models cannot spell them, and autogenerate would propose dropping them.
    migration_only = {*query_indexes.index_names(), "ix_events_notes_trgm"}

    def include(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
        if type_ == "index" and name in migration_only:
            return False
        return not (type_ == "table" and name and name.startswith(query_indexes.FTS_TABLE))

    with open_store(db_url) as s, s.engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"include_object": include})
        diff = compare_metadata(ctx, Base.metadata)
    assert diff == []


def test_downgrade_and_upgrade_again(db_url: str) -> None:
    from alembic import command

    from frontlines.store.db import alembic_config, upgrade

    with open_store(db_url) as s:
        cfg = alembic_config()
        with s.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "base")
        assert "documents" not in inspect(s.engine).get_table_names()
        upgrade(s.engine)
        assert s.add_document(doc())[1] is True


def test_actor_and_place_upserts(store: Store) -> None:
    assert (
        store.upsert_actors(
            [{"name": "Taliban", "inter": "Rebel group"}, {"name": "Civilians (Afghanistan)"}]
        )
        == 2
    )
    store.upsert_actors([{"name": "Taliban", "inter": "Rebel group", "country": "Afghanistan"}])
    assert list(store.iter_actors()) == [
        {"name": "Civilians (Afghanistan)", "inter": None, "country": None},
        {"name": "Taliban", "inter": "Rebel group", "country": "Afghanistan"},
    ]
    place = {
        "code": "AF.23.X",
        "name": "Test District",
        "kind": "district",
        "admin1": "Kandahar",
        "lat": 31.6,
    }
    store.upsert_places([place, {**place, "lon": 65.7}])  # a key twice in one call: the last wins
    assert list(store.iter_places()) == [{**place, "admin2": None, "lon": 65.7}]


def _open_after(barrier: Any, url: str, out: Any) -> None:
    from frontlines.store.db import open_store

    barrier.wait()
    try:
        with open_store(url) as store:
            out.put(("ok", store.counts()["documents"]))
    except Exception as exc:  # reported to the parent, which asserts none happened
        out.put(("error", repr(exc)))


def test_opening_retries_when_sqlite_answers_locked_at_once(tmp_path: Path, monkeypatch: Any) -> None:
    """SQLite can refuse at once ("database is locked", no busy wait) while another process switches a fresh
    file to WAL; the open is retried. Any other error, or a lock that persists, is raised."""
    from sqlalchemy.exc import OperationalError

    import frontlines.store.db as db

    real, calls = db.current_revision, []

    def flaky(engine: Any) -> Any:
        calls.append(1)
        if len(calls) <= 2:
            raise OperationalError("PRAGMA journal_mode=WAL", {}, Exception("database is locked"))
        return real(engine)

    monkeypatch.setattr(db, "current_revision", flaky)
    with db.open_store(f"sqlite:///{tmp_path / 'a.db'}") as store:
        assert store.counts()["documents"] == 0
    assert len(calls) >= 3

    calls.clear()
    with pytest.raises(OperationalError):
        db.open_store(f"sqlite:///{tmp_path / 'b.db'}", attempts=2)
    assert len(calls) == 2

    def broken(engine: Any) -> Any:
        calls.append(1)
        raise OperationalError("SELECT", {}, Exception("disk I/O error"))

    monkeypatch.setattr(db, "current_revision", broken)
    calls.clear()
    with pytest.raises(OperationalError):
        db.open_store(f"sqlite:///{tmp_path / 'c.db'}")
    assert len(calls) == 1


def test_processes_opening_a_fresh_store_at_once_all_succeed(db_url: str) -> None:
    """Each process finds the schema missing; without a migration lock the later ones fail to create it."""
    import multiprocessing as mp

    ctx = mp.get_context("fork")
    n = 4
    barrier, out = ctx.Barrier(n), ctx.Queue()
    procs = [ctx.Process(target=_open_after, args=(barrier, db_url, out)) for _ in range(n)]
    for p in procs:
        p.start()
    results = [out.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=60)
    assert results == [("ok", 0)] * n
