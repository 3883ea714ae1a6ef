"""The API's read queries (frontlines.store.queries), migration 0004's indexes and the precomputed control timeline,
checked against plain Python over the same small store, on SQLite and PostgreSQL. Every text here is our own."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import text

from frontlines.records import Document, Event, Evidence
from frontlines.store import queries
from frontlines.store.db import open_store
from frontlines.store.repository import Store
from frontlines.store.review import Reviews
from frontlines.views.control import (
    TERRITORY_TYPES,
    ControlTimeline,
    DistrictIndex,
    _district_state,
    control_as_of,
    counts_over_time,
)

DISTRICTS = [("Spin Boldak", "Kandahar"), ("Arghandab", "Kandahar"), ("Daman", "Kandahar"), ("Maiwand", "Kandahar"),
             ("Nahr-e Saraj", "Helmand"), ("Gereshk", "HELMAND")]  # fmt: skip
SUBS = ["Armed clash", "Non-state actor overtakes territory", "Government regains territory", "Air/drone strike",
        "Attack", "Peaceful protest", "Non-violent transfer of territory"]  # fmt: skip
TYPES = {"Armed clash": "Battles", "Non-state actor overtakes territory": "Battles",
         "Government regains territory": "Battles", "Air/drone strike": "Explosions/Remote violence",
         "Attack": "Violence against civilians", "Peaceful protest": "Protests",
         "Non-violent transfer of territory": "Strategic developments"}  # fmt: skip
TAL, ANA = ("Taliban", "Rebel group"), ("Military Forces of Afghanistan (2014-2021)", "State forces")
COLS = ["event_id", "doc_id", "event_date", "event_type", "admin1", "notes", "latitude", "longitude"]


def _events(rng: random.Random, doc: int, n: int, start: date, span: int) -> list[Event]:
    out = []
    for k in range(n):
        name, prov = rng.choice(DISTRICTS)
        sub = rng.choice(SUBS)
        a1, a2 = (ANA, TAL) if sub == "Government regains territory" or rng.random() < 0.3 else (TAL, ANA)
        day = None if rng.random() < 0.05 else start + timedelta(days=rng.randrange(span))
        note = f"Fighters moved near {name} 100% of the_night (report {doc}.{k})"
        out.append(
            Event(
                doc_id=f"doc{doc}", event_id=f"doc{doc}:e{k}", event_date=day.isoformat() if day else None,
                sub_event_type=sub, event_type=TYPES[sub], actor1=a1[0], inter1=a1[1], actor2=a2[0],
                inter2=a2[1], country="Afghanistan", iso3="AFG", admin1=prov, admin2=name, location=name,
                latitude=31.0 + rng.random(), longitude=65.0 + rng.random(), geo_precision=2,
                certainty=rng.choice(["reported", "reported", "claimed"]), notes=note,  # type: ignore[arg-type]
                evidence=[Evidence(f"doc{doc}", 0, 9, "Fighters ", ["actor1"]), Evidence(f"doc{doc}", 10, 15,
                          "moved", ["sub_event_type"])],
            )
        )  # fmt: skip
    return out


def _fill(store: Store, seed: int = 3, docs: int = 12, per_doc: int = 8) -> None:
    rng = random.Random(seed)
    for d in range(docs):
        ((row, _),) = store.add_documents(
            [Document(id=f"doc{d}", text=f"Report number {d} written for tests.")]
        )
        store.save_extraction(row, _events(rng, d, per_doc, date(2021, 6, 1), 40), "test")


@pytest.fixture
def store(db_url: str) -> Store:
    s = open_store(db_url)
    _fill(s)
    yield s
    s.close()


def _reference(store: Store, f: dict[str, Any]) -> list[dict[str, Any]]:
    """Every event row matching `f`, in the listing's order, computed in Python."""
    with store.engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(text("SELECT * FROM events")).mappings()]

    def ok(r: dict[str, Any]) -> bool:
        d = r["event_date"]
        d = date.fromisoformat(d) if isinstance(d, str) else d
        if f.get("date_from") and (d is None or d < f["date_from"]):
            return False
        if f.get("date_to") and (d is None or d > f["date_to"]):
            return False
        if f.get("event_type") and r["event_type"] != f["event_type"]:
            return False
        if f.get("admin1") and (r["admin1"] or "").lower() != f["admin1"].lower():
            return False
        if f.get("q") and f["q"].lower() not in (r["notes"] or "").lower():
            return False
        if f.get("bbox"):
            x0, y0, x1, y1 = f["bbox"]
            if not (x0 <= r["longitude"] <= x1 and y0 <= r["latitude"] <= y1):
                return False
        return True

    hits = [r for r in rows if ok(r)]
    return sorted(hits, key=lambda r: (r["event_date"] is None, str(r["event_date"] or ""), r["id"]))


FILTERS: list[dict[str, Any]] = [
    {},
    {"date_from": date(2021, 6, 10), "date_to": date(2021, 6, 25)},
    {"event_type": "Battles"},
    {"admin1": "helmand"},  # stored as Helmand and HELMAND
    {"admin1": "Kandahar", "date_from": date(2021, 6, 20)},
    {"bbox": (65.2, 31.2, 65.7, 31.8)},
    {"bbox": (60.0, 29.0, 75.0, 39.0)},  # every placed event: SQLite pages it in date order
    {"q": "SPIN bol"},  # case-insensitive substring, across a space
    {"q": "100% of the_"},  # LIKE wildcards are literal
    {"q": "ma"},  # shorter than a trigram: no index, same answer
    {"q": "no such words anywhere"},
]


@pytest.mark.parametrize("f", FILTERS, ids=lambda f: ",".join(f) or "none")
def test_pages_match_reference(store: Store, f: dict[str, Any]) -> None:
    ref = _reference(store, f)
    where = queries.event_where(f, store.engine)
    walk = queries.event_where(f, store.engine, box_index=False) if f.get("bbox") else None
    seen: list[int] = []
    for offset in range(0, len(ref) + 7, 7):
        total, rows = queries.event_page(
            store.engine, where, 7, offset, COLS, sparse_text=bool(f.get("q")), date_walk=walk
        )
        assert total == len(ref)
        seen += [r["id"] for r in rows]
    assert seen == [r["id"] for r in ref]  # same rows, same order, no repeats across pages
    if f.get("q") == "SPIN bol":
        assert ref, "the needle occurs in the generated notes"


@pytest.mark.parametrize(
    "f",
    [{"q": "(report 3."}, {"q": "Fighters moved"}, {"bbox": (60.0, 29.0, 75.0, 39.0)}],
    ids=["q-few", "q-many", "bbox"],
)
def test_search_and_box_pages_and_their_plans(store: Store, f: dict[str, Any]) -> None:
    """A search with fewer matches than the cap reads the notes index once for both the count and the page; one
    with more still pages right. A box holding most events: SQLite walks the date order, not the sorted box."""
    from sqlalchemy import event

    ref = [r["id"] for r in _reference(store, f)]
    assert 0 < len(ref) <= 10 if f.get("q") == "(report 3." else len(ref) > 12
    cap = 10 if "q" in f else queries.COUNT_CAP
    where = queries.event_where(f, store.engine)
    walk = queries.event_where(f, store.engine, box_index=False) if "bbox" in f else None
    statements: list[tuple[str, Any]] = []

    def seen(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
        statements.append((statement, parameters))

    event.listen(store.engine, "before_cursor_execute", seen)
    try:
        for offset in (0, 4, 8, 12):  # a search's last page lies past its cap of 10
            statements.clear()
            total, rows = queries.event_page(
                store.engine, where, 4, offset, COLS, count_cap=cap, sparse_text="q" in f, date_walk=walk
            )
            assert total == min(len(ref), cap) and [r["id"] for r in rows] == ref[offset : offset + 4]
            if f.get("q") == "(report 3.":
                assert sum(" MATCH " in s or " LIKE " in s for s, _ in statements) == 1, statements
            if "bbox" in f and store.engine.dialect.name == "sqlite":
                sql, params = next(s for s in statements if "+events.longitude" in s[0])
                with store.engine.connect() as conn:
                    plan = " ".join(r[-1] for r in conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params))
                # the page's ids: the date order walked, not the box read from its index and sorted
                assert "USING INDEX ix_events_listing" in plan and "ix_events_lonlat" not in plan, plan
    finally:
        event.remove(store.engine, "before_cursor_execute", seen)


def test_total_is_capped(store: Store) -> None:
    n = len(_reference(store, {}))
    assert n > 10
    total, rows = queries.event_page(store.engine, None, 4, 0, COLS, count_cap=10)
    assert total == 10 and len(rows) == 4
    total, _ = queries.event_page(store.engine, None, 4, 0, COLS, count_cap=n)
    assert total == n


def test_migration_creates_indexes(store: Store) -> None:
    from importlib.util import module_from_spec, spec_from_file_location

    from frontlines.store.db import MIGRATIONS_DIR

    spec = spec_from_file_location("m0004", MIGRATIONS_DIR / "versions" / "0004_query_indexes.py")
    assert spec and spec.loader
    m = module_from_spec(spec)
    spec.loader.exec_module(m)
    sqlite = store.engine.dialect.name == "sqlite"
    listing = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if sqlite
        else "SELECT indexname FROM pg_indexes"
    )
    with store.engine.connect() as conn:
        assert set(m.index_names()) <= set(conn.execute(text(listing)).scalars())
        if store.engine.dialect.name == "sqlite":
            assert queries.has_notes_fts(store.engine)
            # the trigger kept the trigram table in step with the inserted events
            n = conn.execute(text(f"SELECT count(*) FROM {queries.FTS_TABLE}")).scalar_one()
            assert n == conn.execute(text("SELECT count(*) FROM events")).scalar_one()
        else:
            trgm = conn.execute(text("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")).first()
            idx = conn.execute(
                text("SELECT 1 FROM pg_indexes WHERE indexname = 'ix_events_notes_trgm'")
            ).first()
            assert (trgm is None) == (idx is None)


def test_fts_follows_reextraction(store: Store) -> None:
    if store.engine.dialect.name != "sqlite":
        pytest.skip("SQLite's trigram table")
    ((row, _),) = store.add_documents([Document(id="docx", text="A report written for the search test.")])
    ev = Event(
        doc_id="docx", event_id="docx:e0", event_date="2021-07-01", notes="Quiet day at Zzyzx crossing"
    )
    store.save_extraction(row, [ev], "test")
    f = {"q": "zzyzx"}
    assert queries.event_page(store.engine, queries.event_where(f, store.engine), 10, 0, COLS)[0] == 1
    ev.notes = "Quiet day at the crossing"
    store.save_extraction(row, [ev], "test")  # deletes and re-inserts the event row
    assert queries.event_page(store.engine, queries.event_where(f, store.engine), 10, 0, COLS)[0] == 0


def test_fingerprint_moves_on_writes(store: Store) -> None:
    fp0 = queries.fingerprint_parts(store.engine)
    assert queries.fingerprint_parts(store.engine) == fp0  # stable without writes
    row = store.add_documents([Document(id="doc0", text="Report number 0 written for tests.")])[0][0]
    events = [e for e in store.iter_events(document_row_id=row)]
    events[0].fatalities = 3
    store.save_extraction(row, events, "test")  # same ids count, new extraction time
    fp1 = queries.fingerprint_parts(store.engine)
    assert fp1 != fp0
    Reviews(store).review(events[1].event_id, "reject", "tester")
    assert queries.fingerprint_parts(store.engine) != fp1


def test_territory_events_equal_iter_events(store: Store) -> None:
    rv = Reviews(store)
    some = [e for e in store.iter_events() if e.sub_event_type in TERRITORY_TYPES]
    rv.review(some[0].event_id, "reject", "tester")
    attack = next(e for e in store.iter_events() if e.sub_event_type == "Attack")
    rv.review(
        attack.event_id, "correct", "tester", {"sub_event_type": "Armed clash", "event_type": "Battles"}
    )
    want = [e for e in store.iter_events() if e.sub_event_type in TERRITORY_TYPES]
    got, meta = queries.territory_events(store.engine, TERRITORY_TYPES)
    queries.evidence_loader(store.engine, meta)(got)
    keys = queries.CONTROL_COLS
    assert [[getattr(e, k) for k in keys] + [e.evidence] for e in got] == [
        [getattr(e, k) for k in keys] + [e.evidence] for e in want
    ]
    assert attack.event_id in {e.event_id for e in got}
    assert some[0].event_id not in {e.event_id for e in got}


# ---------------------------------------------------------------------------------------------- control timeline


def _story(seed: int) -> list[Event]:
    """Dense random histories in a few districts: one-day captures and recaptures happen often."""
    rng = random.Random(seed)
    out = []
    for d in range(40):
        out += [e for e in _events(rng, d, 10, date(2021, 6, 1), 25) if e.event_date]
    return out


@pytest.fixture(scope="module")
def index() -> DistrictIndex:
    return DistrictIndex()


@pytest.mark.parametrize("seed", [1, 2])
def test_timeline_states_equal_control_as_of(index: DistrictIndex, seed: int) -> None:
    events = _story(seed)
    tl = ControlTimeline(events, layer=index)
    assert any(tl.edge_days.values()), "the story has one-day holds"
    for day in (date(2021, 5, 30) + timedelta(days=i) for i in range(30)):
        for age in (30, 3, None):
            want = [s.to_dict() for s in control_as_of(events, day, layer=index, max_age_days=age)]
            assert [s.to_dict() for s in tl.states(day, max_age_days=age)] == want, (day, age)


@pytest.mark.parametrize("seed", range(24))
def test_timeline_edge_days_resume_like_a_prefix_run(index: DistrictIndex, seed: int) -> None:
    """Crowded days in two districts: captures the day before, recaptures the day after and standing claims
    meet on the days the one-day rule reads differently, where the timeline resumes its machine mid-history."""
    rng = random.Random(seed)
    events = []
    for doc in range(60):
        for e in _events(rng, 100 + doc, 8, date(2021, 6, 1), 8):
            if e.event_date and e.admin2 in ("Spin Boldak", "Daman"):
                events.append(e)
    tl = ControlTimeline(events, layer=index)
    edges = {d for days in tl.edge_days.values() for d in days}
    assert edges, "the story has one-day holds"
    for day in sorted(edges):
        want = [s.to_dict() for s in control_as_of(events, day, layer=index)]
        assert [s.to_dict() for s in tl.states(day)] == want, day


def test_timeline_counts_equal_previous_counts(index: DistrictIndex) -> None:
    events = _story(5)
    tl = index.timelines(events, "government")
    for age in (30, 2):
        want = []  # counts_over_time as it was: _district_state over the full timelines on each day
        for day in (date(2021, 5, 30) + timedelta(days=i) for i in range(0, 31, 3)):
            counts = {s: 0 for s in ("government", "held", "contested", "unconfirmed", "unknown")}
            for code, unit in index.units.items():
                counts[_district_state(unit, tl.get(code, ()), day, "government", age, index.name).state] += 1
            want.append({"date": day.isoformat(), **counts, "total": len(index.units), "layer": index.name})
        got = counts_over_time(events, date(2021, 5, 30), date(2021, 6, 29), 3, layer=index, max_age_days=age)
        assert got == want


def _story_without_evidence(seed: int) -> tuple[list[Event], dict[str, list[Evidence]], list[str], Any]:
    """A story whose events have no evidence yet; `fill` sets it from `full` and notes in `asked` whose."""
    events = _story(seed)
    full = {e.event_id: list(e.evidence) for e in events}
    for e in events:
        e.evidence = []
    asked: list[str] = []

    def fill(evs: list[Event]) -> None:
        for e in evs:
            asked.append(e.event_id)
            e.evidence = full[e.event_id]

    return events, full, asked, fill


def test_timeline_fills_evidence_lazily(index: DistrictIndex) -> None:
    events, full, asked, fill = _story_without_evidence(7)
    tl = ControlTimeline(events, layer=index, fill_evidence=fill)
    states = tl.states(date(2021, 6, 15))
    shown = {i for s in states for i in s.event_ids}
    assert set(asked) == shown and len(asked) == len(shown)  # only the events behind the states, once each
    assert all(s.evidence == [ev for i in s.event_ids for ev in full[i]] for s in states)
    tl.states(date(2021, 6, 15))
    assert len(asked) == len(shown)  # nothing fetched twice


def test_timeline_evidence_from_each_states_ends(index: DistrictIndex) -> None:
    events, full, asked, fill = _story_without_evidence(7)
    day = date(2021, 6, 15)
    want = ControlTimeline(_story(7), layer=index).states(day)
    had = [e.evidence for e in events]
    got = ControlTimeline(events, layer=index, fill_evidence=fill).states(day, evidence="ends")
    long = [s for s in want if len(s.event_ids) > 2]
    assert long, "some state stands on more than two events"
    ends = [[s.event_ids[0], s.event_ids[-1]] if len(s.event_ids) > 1 else s.event_ids for s in want]
    assert sorted(asked) == sorted(i for pair in ends for i in pair)  # only those events' spans are fetched
    for w, g, pair in zip(want, got, ends, strict=True):
        assert g.evidence == [ev for i in pair for ev in full[i]]
        g.evidence, w.evidence = [], []
        assert g.to_dict() == w.to_dict()  # everything else, event_ids included, as with all the evidence
    # the spans were lent for the call, not kept: each event has its own (empty) list back
    assert all(e.evidence is h and not h for e, h in zip(events, had, strict=True))


def test_territory_control_refresh_equals_fresh_load(store: Store, index: DistrictIndex) -> None:
    tc = queries.TerritoryControl(store.engine, index, TERRITORY_TYPES)
    tc.LOOKBACK, tc.FULL_RELOAD_SHARE = timedelta(0), 1.0  # a test store is all "recent"; keep it incremental
    rng = random.Random(11)
    row3 = store.add_documents([Document(id="doc3", text="Report number 3 written for tests.")])[0][0]
    store.save_extraction(row3, _events(rng, 3, 6, date(2021, 6, 1), 40), "test")  # replaced records
    ((new, _),) = store.add_documents([Document(id="doc99", text="A later report written for tests.")])
    store.save_extraction(new, _events(rng, 99, 9, date(2021, 6, 1), 40), "test")
    victim = next(e for e in store.iter_events(document_row_id=1) if e.sub_event_type in TERRITORY_TYPES)
    Reviews(store).review(victim.event_id, "reject", "tester")
    before = tc.timeline
    tc.refresh()
    assert tc.refreshes == 1 and tc.timeline is not before  # updated in place of a reload; old one kept
    events, meta = queries.territory_events(store.engine, TERRITORY_TYPES)
    fresh = ControlTimeline(events, layer=index, fill_evidence=queries.evidence_loader(store.engine, meta))
    for day in (date(2021, 5, 31) + timedelta(days=i) for i in range(0, 45, 2)):
        assert [s.to_dict() for s in tc.timeline.states(day)] == [s.to_dict() for s in fresh.states(day)]
    assert tc.timeline.counts(date(2021, 6, 1), date(2021, 7, 10), 3) == fresh.counts(
        date(2021, 6, 1), date(2021, 7, 10), 3
    )
    tc.refresh()  # nothing changed since: nothing done
    assert tc.refreshes == 1
