"""Cross-report merging (views/merge.py): one event from many reports, order-independent, evidence kept."""

from __future__ import annotations

import importlib.util
import random
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontlines.records import Event, stable_id
from frontlines.views.merge import compatible, member_id, merge_events

_spec = importlib.util.spec_from_file_location(
    "views_fixtures", Path(__file__).parent / "fixtures/views/load.py"
)
fixtures = importlib.util.module_from_spec(_spec)  # type: ignore[arg-type]
_spec.loader.exec_module(fixtures)  # type: ignore[union-attr]

DOCS, EVENTS, _ = fixtures.load()
CORPUS = Path(__file__).resolve().parents[1] / "examples" / "afghanistan-2021"


def dump(merged: list) -> list[dict]:
    return [m.to_dict() for m in merged]


def school(merged: list):
    (m,) = [m for m in merged if m.event.event_type == "Explosions/Remote violence"]
    return m


def test_school_reports_become_one_event_with_three_sources() -> None:
    m = school(merge_events(EVENTS, DOCS))
    assert {s["doc_id"] for s in m.sources} == {"school-first", "school-update", "school-claim"}
    # Most recent first: the 11 May update leads the source list.
    assert [s["doc_id"] for s in m.sources] == ["school-update", "school-claim", "school-first"]
    assert m.sources[0]["source"] == "Other Daily" and m.sources[0]["published"] == "2021-05-11"
    e = m.event
    # Revised rule: the later report revises the toll; the party's claim (200) is not credible; range kept.
    assert (e.fatalities, e.fatalities_low, e.fatalities_high) == (85, 58, 200)
    assert m.field_sources["fatalities"] == ["school-update#ev-1"]
    assert "58 (school-first)" in e.notes and "85 (school-update)" in e.notes
    # Suicide bomb outranks IED; the precise place (geo 1) wins over the update's vague one.
    assert e.sub_event_type == "Suicide bomb"
    assert (e.geo_precision, e.latitude) == (1, 34.5281)
    assert e.certainty == "reported"


def test_lowest_rule_takes_the_lowest_credible_figure() -> None:
    e = school(merge_events(EVENTS, DOCS, rule="lowest")).event
    assert (e.fatalities, e.fatalities_low, e.fatalities_high) == (58, 58, 200)


def test_without_publication_dates_revised_falls_back_to_lowest() -> None:
    assert school(merge_events(EVENTS)).event.fatalities == 58


def test_every_member_span_is_kept_with_its_document() -> None:
    m = school(merge_events(EVENTS, DOCS))
    members = [e for e in EVENTS if e.event_type == "Explosions/Remote violence"]
    assert len(m.event.evidence) == sum(len(e.evidence) for e in members)
    for span in m.event.evidence:
        assert DOCS[span.doc_id].text[span.start : span.end] == span.text
    assert sorted(m.member_event_ids) == sorted(member_id(e) for e in members)
    assert m.event.event_id == stable_id(*sorted(m.member_event_ids), prefix="mev-")


def test_precise_report_refines_vague_one_and_recapture_stays_apart() -> None:
    merged = merge_events(EVENTS, DOCS)
    capture = [m for m in merged if m.event.sub_event_type == "Non-state actor overtakes territory"]
    recapture = [m for m in merged if m.event.sub_event_type == "Government regains territory"]
    assert len(capture) == 1 and len(recapture) == 1
    e = capture[0].event
    assert (e.event_date, e.time_precision, e.date_earliest, e.date_latest) == (
        "2021-06-14",
        1,
        "2021-06-14",
        "2021-06-14",
    )
    assert e.geo_precision == 1
    # The vaguer report named both sides: the merged event keeps the richer actor pair.
    assert (e.actor1, e.actor2, e.interaction) == (
        "Taliban",
        "Military Forces of Afghanistan (2014-2021)",
        "State forces-Rebel group",
    )


def _ev(doc: str, date: str, actors: tuple[str | None, str | None], **kw: object) -> Event:
    base = dict(
        event_id="e",
        event_date=date,
        time_precision=1,
        event_type="Battles",
        sub_event_type="Armed clash",
        country="Afghanistan",
        iso3="AFG",
        admin1="Helmand",
        admin2="Nad Ali",
        location="Nad Ali",
        geo_precision=1,
    )
    base.update(kw)
    return Event(doc_id=doc, actor1=actors[0], actor2=actors[1], **base)  # type: ignore[arg-type]


def test_pairwise_rules() -> None:
    a = _ev("a", "2021-07-01", ("Taliban", "Military Forces of Afghanistan (2014-2021)"))
    assert compatible(a, _ev("b", "2021-07-01", ("Taliban", None)))
    assert not compatible(a, _ev("a", "2021-07-01", ("Taliban", None)))  # same report: two events
    assert not compatible(a, _ev("b", "2021-07-02", ("Taliban", None)))  # no date overlap
    assert not compatible(a, _ev("b", "2021-07-01", ("Islamic State (Afghanistan)", None)))
    assert not compatible(a, _ev("b", "2021-07-01", ("Taliban", None), admin2="Marja", location="Marja"))
    assert not compatible(a, _ev("b", "2021-07-01", ("Taliban", None), event_type="Riots"))
    # Both know the day and the days differ, even inside a shared window: two events.
    assert not compatible(
        _ev("a", "2021-07-01", ("Taliban", None), date_earliest="2021-06-28", date_latest="2021-07-04"),
        _ev("b", "2021-07-03", ("Taliban", None), date_earliest="2021-06-28", date_latest="2021-07-04"),
    )
    # A report that knows only the week (its window covers the day) can be the same event.
    week = dict(date_earliest="2021-06-28", date_latest="2021-07-04", time_precision=2)
    assert compatible(a, _ev("b", "2021-07-01", ("Taliban", None), **week))


def test_complete_linkage_never_chains_incompatible_reports() -> None:
    # b is compatible with a and with c, but a and c name different actors: never one event of three.
    a = _ev("a", "2021-07-01", ("Taliban", "Military Forces of Afghanistan (2014-2021)"))
    b = _ev("b", "2021-07-01", ("Taliban", None))
    c = _ev("c", "2021-07-01", ("Taliban", "Police Forces of Afghanistan (2014-2021)"))
    merged = merge_events([a, b, c])
    assert sorted(len(m.member_event_ids) for m in merged) == [1, 2]


# A pool where order could matter: chains, ties, undated events, duplicated days across reports.
POOL = [
    *EVENTS,
    _ev("a", "2021-07-01", ("Taliban", "Military Forces of Afghanistan (2014-2021)"), fatalities=4),
    _ev("b", "2021-07-01", ("Taliban", None), fatalities=6),
    _ev("c", "2021-07-01", ("Taliban", "Police Forces of Afghanistan (2014-2021)"), fatalities=5),
    _ev(
        "d",
        "2021-07-01",
        (None, None),
        date_earliest="2021-06-28",
        date_latest="2021-07-04",
        time_precision=2,
    ),
    _ev("e", None, ("Taliban", None)),  # type: ignore[arg-type]
    replace(_ev("f", "2021-07-01", ("Taliban", None)), event_id="e2"),
    _ev("f", "2021-07-01", ("Taliban", None)),
]


@settings(max_examples=60, deadline=None)
@given(st.permutations(POOL))
def test_merge_is_order_independent(perm: list[Event]) -> None:
    assert dump(merge_events(perm, DOCS)) == dump(merge_events(POOL, DOCS))


@pytest.fixture(scope="module")
def demo_store(tmp_path_factory: pytest.TempPathFactory):
    from frontlines.ingest.service import ingest
    from frontlines.store.db import open_store

    if not CORPUS.is_dir():
        pytest.skip("demo corpus absent")
    store = open_store(f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}")
    ingest([str(CORPUS)], store)
    yield store
    store.close()


def test_demo_corpus_school_bombing_merges_and_order_does_not_matter(demo_store) -> None:
    from frontlines.views.merge import document_meta

    events = list(demo_store.iter_events())
    docs = document_meta(demo_store)
    merged = merge_events(events, docs)
    school_docs = {d for d in docs if "kabul-school" in d}
    assert len(school_docs) == 2
    both = [m for m in merged if school_docs <= {s["doc_id"] for s in m.sources}]
    assert len(both) == 1, "the two school-bombing reports should merge into one event"
    m = both[0]
    figures = [r for r in m.fatality_reports if r["certainty"] != "claimed"]
    assert figures, "a death toll is reported"
    latest = max(r["published"] for r in figures)
    assert m.event.fatalities == min(r["fatalities"] for r in figures if r["published"] == latest)
    lowest = [x for x in merge_events(events, docs, rule="lowest") if x.event_id == m.event_id][0]
    assert lowest.event.fatalities == min(r["fatalities"] for r in figures)
    assert m.event.fatalities_low == min(r["low"] or r["fatalities"] for r in m.fatality_reports)
    assert m.event.fatalities_high == max(r["high"] or r["fatalities"] for r in m.fatality_reports)
    assert len(merged) < len(events)

    shuffled = list(events)
    random.Random(4).shuffle(shuffled)
    assert dump(merge_events(shuffled, docs)) == dump(merged)
    assert dump(merge_events(list(reversed(events)), docs)) == dump(merged)
