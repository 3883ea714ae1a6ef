"""End to end on the bundled demo corpus (examples/afghanistan-2021, our own reports about real events).

Checks the events a reader of those reports would code without hesitation, that nothing from history or
captions leaks in, and that every record's evidence is the exact text it points at.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from unidecode import unidecode

from frontlines.ingest.readers import Rejection, read_sources
from frontlines.records import Claim, Event

CORPUS = Path(__file__).resolve().parents[1] / "examples" / "afghanistan-2021"


def norm(s: str | None) -> str:
    return unidecode(s or "").lower().replace("-", " ")


@pytest.fixture(scope="module")
def corpus():
    from frontlines.extract.pipeline import get_extractor

    items = list(read_sources([str(CORPUS)]))
    assert not [i for i in items if isinstance(i, Rejection)]
    docs = {d.id: d for d in items}
    out = {doc.id: recs for doc, recs in get_extractor().pipe(docs.values())}
    return docs, out


def all_events(corpus) -> list[Event]:
    return [r for recs in corpus[1].values() for r in recs if isinstance(r, Event)]


def all_claims(corpus) -> list[Claim]:
    return [r for recs in corpus[1].values() for r in recs if isinstance(r, Claim)]


def test_every_report_read_and_docs_skipped(corpus):
    docs, _ = corpus
    assert len(docs) >= 40
    assert not any(d.endswith(("README.md", "EXPECTED.md")) for d in docs)


def test_evidence_spans_are_exact(corpus):
    docs, out = corpus
    n = 0
    for doc_id, recs in out.items():
        text = docs[doc_id].text
        for r in recs:
            assert r.evidence
            for ev in r.evidence:
                assert text[ev.start : ev.end] == ev.text
                n += 1
    assert n > 500


@pytest.mark.parametrize(
    ("place", "admin1", "day"),
    [
        ("Sher Khan", "kunduz", "2021-06-22"),
        ("Spin Boldak", "kandahar", "2021-07-14"),
        ("Zaranj", "nimroz", "2021-08-06"),
        ("Kunduz", "kunduz", "2021-08-08"),
    ],
)
def test_known_captures(corpus, place, admin1, day):
    hits = [
        e
        for e in all_events(corpus)
        if (norm(place) in norm(e.location) or norm(place) in norm(e.admin2))
        and e.date_earliest <= day <= e.date_latest
        and e.actor1 == "Taliban"
        and e.sub_event_type
        in {
            "Non-state actor overtakes territory",
            "Non-violent transfer of territory",
            "Armed clash",
            "Agreement",
        }
    ]
    assert hits, [
        (e.location, e.event_date, e.sub_event_type, e.actor1)
        for e in all_events(corpus)
        if norm(place) in norm(e.location)
    ]
    assert norm(admin1) in norm(hits[0].admin1).replace("nimruz", "nimroz")


def test_no_history_or_future(corpus):
    docs, out = corpus
    for doc_id, recs in out.items():
        published = docs[doc_id].published
        for r in recs:
            if isinstance(r, Event) and r.date_latest and published:
                assert r.date_latest <= published.isoformat(), (doc_id, r.notes)
                # Nothing from 1996, 2001 or other years of background.
                assert r.date_earliest >= "2021-01-01", (doc_id, r.notes)


def test_the_85_percent_claim_and_its_rivals(corpus):
    shares = [c for c in all_claims(corpus) if c.metric == "territory_share"]
    assert any(c.value == 85 and norm(c.claimant).startswith("taliban") for c in shares), [
        (c.claimant, c.value) for c in shares
    ]
    counts = [c for c in all_claims(corpus) if c.metric == "districts_controlled" and c.of]
    assert any(c.value == 224 and c.of == 421 for c in counts), [(c.value, c.of) for c in counts]
