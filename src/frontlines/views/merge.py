"""One event from many reports: cross-report merging with ACLED's rules.

Reports of the same event (same event type, compatible place, overlapping date windows, compatible actors) become
one `MergedEvent` with several sources. The result depends only on the set of input events (and the documents'
metadata), never on the order they arrive in: events are put in a canonical order before clustering, and every
choice below breaks ties on content, not position.

Rules (documented, ACLED-RULES.md "One event" and "Fatalities"):
- Two events can merge when they come from different documents, have the same event_type, their date windows
  (date_earliest..date_latest, else event_date) overlap (and their days are equal when both know the day:
  time_precision 1), their places agree wherever both name a level (iso3,
  admin1, admin2; location too when neither has admin2), and one side's named actors are a subset of the other's.
  Unidentified actors and civilians (victims the reports name or not) do not count as names. A capture and a
  recapture (opposite territorial outcomes) never merge.
- Clustering is complete-linkage: an event joins a cluster only if it is compatible with every member, so A~B and
  B~C never drags in an incompatible C.
- Fatalities: the lowest credible figure. A party's claim (certainty "claimed") is not credible while a report
  states a figure. With rule "revised" (default) a later-published report revises earlier figures (a toll that
  rises as bodies are counted), and the lowest figure among the latest reports stands; with rule "lowest" the
  lowest figure of all reports. Either way every reported figure is kept: fatalities_low/high span them all and
  `fatality_reports` lists who said what; differing figures are noted in `notes`.
- The most precise report (smallest time_precision) sets the date and the date window; the most precise place
  (smallest geo_precision) sets location, admin levels and coordinates; the richest actor set sets the actors.
- sub_event_type: ACLED precedence across members (a suicide bomb outranks an IED).
- Evidence: all members' spans, concatenated (each span names its doc_id); `field_sources` says which members
  supplied each chosen field.
"""

from __future__ import annotations

import heapq
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, Literal

from sqlalchemy import select

from frontlines.acled import PRECEDENCE, interaction
from frontlines.records import Document, Event, stable_id
from frontlines.store.models import DocumentRow
from frontlines.store.repository import Store

FatalityRule = Literal["revised", "lowest"]

_PLACE_FIELDS = ("country", "iso3", "admin1", "admin2", "admin3", "location", "latitude", "longitude")
_ACTOR_FIELDS = (
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "civilian_targeting",
)
# A capture and a recapture are both Battles, but opposite outcomes: never one event.
_OPPOSITE_TRANSFERS = {"Government regains territory", "Non-state actor overtakes territory"}
_SCALAR_FIELDS = tuple(f.name for f in fields(Event) if f.name != "evidence")
_CERTAINTY_RANK = {"reported": 0, "disputed": 1, "claimed": 2}


@dataclass(slots=True)
class MergedEvent:
    """An event as several reports describe it. `event.event_id` is the merged id."""

    event: Event
    sources: list[dict[str, Any]]
    member_event_ids: list[str]
    field_sources: dict[str, list[str]] = field(default_factory=dict)
    fatality_reports: list[dict[str, Any]] = field(default_factory=list)

    @property
    def event_id(self) -> str:
        return self.event.event_id

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.event.to_dict(),
            "sources": self.sources,
            "member_event_ids": self.member_event_ids,
            "field_sources": self.field_sources,
            "fatality_reports": self.fatality_reports,
        }


def member_id(ev: Event) -> str:
    """An event's id across documents (event ids are stable per document only)."""
    return f"{ev.doc_id}#{ev.event_id}"


def _window(ev: Event) -> tuple[str, str] | None:
    lo = ev.date_earliest or ev.event_date
    hi = ev.date_latest or ev.event_date
    if lo is None or hi is None:
        return None
    return (lo, hi) if lo <= hi else (hi, lo)


def _named_actors(ev: Event) -> frozenset[str]:
    names = set()
    for a in (ev.actor1, ev.actor2, ev.assoc_actor_1, ev.assoc_actor_2):
        if not a:
            continue
        for part in a.split(";"):  # ACLED joins several associated actors with "; "
            p = part.strip()
            # Unidentified is "unknown", and whether a report names the civilians hit does not tell events apart.
            if p and not p.startswith("Unidentified") and not p.startswith("Civilians"):
                names.add(p)
    return frozenset(names)


def _places_agree(a: Event, b: Event) -> bool:
    for f in ("iso3", "admin1", "admin2"):
        x, y = getattr(a, f), getattr(b, f)
        if x and y and x.casefold() != y.casefold():
            return False
    if not a.admin2 and not b.admin2:
        if a.location and b.location:
            return a.location.casefold() == b.location.casefold()
        # Nothing below the country on either side: too vague to call it the same event.
        return bool(a.admin1 and b.admin1)
    return True


def compatible(a: Event, b: Event) -> bool:
    """Whether two reported events can be the same event (the merge rule, pairwise)."""
    if a.doc_id == b.doc_id or a.event_type != b.event_type:
        return False
    if {a.sub_event_type, b.sub_event_type} == _OPPOSITE_TRANSFERS:
        return False
    wa, wb = _window(a), _window(b)
    if wa is None or wb is None or wa[1] < wb[0] or wb[1] < wa[0]:
        return False
    if a.time_precision == 1 and b.time_precision == 1 and a.event_date != b.event_date:
        return False  # both know the day, and the days differ: two events (ACLED codes one day each)
    if not _places_agree(a, b):
        return False
    na, nb = _named_actors(a), _named_actors(b)
    return na <= nb or nb <= na


def _canonical_key(ev: Event) -> tuple[Any, ...]:
    # Window start first (lets clustering retire clusters), then content: a total order on distinct events.
    w = _window(ev) or ("", "")
    values = repr(tuple(getattr(ev, f) for f in _SCALAR_FIELDS))  # repr: None sorts beside values
    spans = tuple((s.doc_id, s.start, s.end, s.text, tuple(s.fields)) for s in ev.evidence)
    return (w[0], w[1], ev.doc_id, ev.event_id, values, spans)


@dataclass(slots=True)
class _Open:
    seq: int  # creation order: first-fit picks the oldest compatible cluster, whatever the index holds
    hi: str  # latest window end among members
    members: list[Event]
    admin1: str  # the members' admin1 ("" while none names one)


def _cluster(events: list[Event], keys: dict[int, tuple[Any, ...]]) -> list[list[Event]]:
    """Complete-linkage clusters over canonically ordered events, blocked by (event_type, country).

    First-fit in canonical order: an event joins the oldest open cluster it is compatible with. Open clusters are
    indexed by admin1 (members that agree share one) and retired through a heap once their window has passed,
    so each event is compared with the few clusters open in its province, not every one in the country.
    """
    blocks: dict[tuple[Any, ...], list[Event]] = defaultdict(list)
    out: list[list[Event]] = []
    for ev in events:
        if _window(ev) is None:
            out.append([ev])  # undated: nothing to match on
        else:
            blocks[(ev.event_type or "", ev.iso3 or ev.country or "")].append(ev)
    for key in sorted(blocks):
        block = sorted(blocks[key], key=lambda e: keys[id(e)])
        by_admin1: dict[str, dict[int, _Open]] = defaultdict(dict)  # "" holds clusters naming no admin1
        alive: dict[int, _Open] = {}
        heap: list[tuple[str, int]] = []
        for seq, ev in enumerate(block):
            start, end = _window(ev)  # type: ignore[misc]
            # Sorted by window start, so a cluster ending before this start can match nothing later.
            while heap and heap[0][0] < start:
                hi, cid = heapq.heappop(heap)
                c = alive.get(cid)
                if c is None:
                    continue
                if c.hi != hi:  # its window grew since it was pushed
                    heapq.heappush(heap, (c.hi, cid))
                    continue
                del alive[cid]
                del by_admin1[c.admin1][cid]
                out.append(c.members)
            a1 = (ev.admin1 or "").casefold()
            if a1:
                pool = [*by_admin1[a1].values(), *by_admin1[""].values()]
            else:
                pool = list(alive.values())
            pool.sort(key=lambda c: c.seq)
            for c in pool:
                if all(compatible(ev, m) for m in c.members):
                    c.members.append(ev)
                    if end > c.hi:
                        c.hi = end
                        heapq.heappush(heap, (end, c.seq))
                    if a1 and not c.admin1:
                        del by_admin1[""][c.seq]
                        c.admin1 = a1
                        by_admin1[a1][c.seq] = c
                    break
            else:
                c = _Open(seq, end, [ev], a1)
                alive[seq] = c
                by_admin1[a1][seq] = c
                heapq.heappush(heap, (end, seq))
        out.extend(c.members for c in sorted(alive.values(), key=lambda c: c.seq))
    return out


def _published(ev: Event, documents: Mapping[str, Document]) -> str:
    d = documents.get(ev.doc_id)
    return d.published.isoformat() if d is not None and d.published else ""


def _best(members: list[Event], key: Any, keys: dict[int, tuple[Any, ...]]) -> Event:
    return min(members, key=lambda e: (key(e), keys[id(e)]))


def _fatalities(
    members: list[Event], documents: Mapping[str, Document], rule: FatalityRule
) -> tuple[int, int | None, int | None, list[dict[str, Any]], list[str]]:
    reports = [
        {
            "doc_id": e.doc_id,
            "event_id": e.event_id,
            "fatalities": e.fatalities,
            "low": e.fatalities_low,
            "high": e.fatalities_high,
            "certainty": e.certainty,
            "published": _published(e, documents) or None,
        }
        for e in members
        if e.fatalities
    ]
    reports.sort(key=lambda r: (r["published"] or "", r["doc_id"], r["event_id"]))
    if not reports:  # no member reports a death: 0 (ACLED), no range
        return 0, None, None, [], []
    stated = [r for r in reports if r["certainty"] != "claimed"]
    credible = stated or reports
    if rule == "revised":
        latest = max(r["published"] or "" for r in credible)
        credible = [r for r in credible if (r["published"] or "") == latest]
    chosen = min(credible, key=lambda r: (r["fatalities"], r["doc_id"], r["event_id"]))
    lows = [r["low"] if r["low"] is not None else r["fatalities"] for r in reports]
    highs = [r["high"] if r["high"] is not None else r["fatalities"] for r in reports]
    return chosen["fatalities"], min(lows), max(highs), reports, [f"{chosen['doc_id']}#{chosen['event_id']}"]


def _sources(members: list[Event], documents: Mapping[str, Document]) -> list[dict[str, Any]]:
    per_doc: dict[str, int] = defaultdict(int)
    for e in members:
        per_doc[e.doc_id] += len(e.evidence)
    rows = []
    for doc_id, n_spans in per_doc.items():
        d = documents.get(doc_id)
        rows.append(
            {
                "doc_id": doc_id,
                "title": d.title if d else None,
                "source": d.source if d else None,
                "url": d.url if d else None,
                "published": d.published.isoformat() if d is not None and d.published else None,
                "evidence_spans": n_spans,
            }
        )
    # Most recent first (a later report usually carries the revised account), then the most thorough.
    rows.sort(key=lambda r: r["doc_id"])  # ties stay in doc_id order: sort is stable
    rows.sort(key=lambda r: (r["published"] or "", r["evidence_spans"]), reverse=True)
    return rows


def _merge_cluster(
    members: list[Event],
    keys: dict[int, tuple[Any, ...]],
    documents: Mapping[str, Document],
    rule: FatalityRule,
) -> MergedEvent:
    members = sorted(members, key=lambda e: keys[id(e)])
    ids = [member_id(e) for e in members]
    inf = 99
    when = _best(members, lambda e: (e.time_precision or inf, -len(e.evidence)), keys)
    where = _best(members, lambda e: (e.geo_precision or inf, e.latitude is None, -len(e.evidence)), keys)
    who = _best(members, lambda e: (-len(_named_actors(e)), e.actor1 is None, e.actor2 is None), keys)
    what = _best(members, lambda e: PRECEDENCE.get(e.sub_event_type or "", inf), keys)
    base = when
    fatalities, low, high, reports, fat_src = _fatalities(members, documents, rule)

    merged = replace(base, evidence=[s for e in members for s in e.evidence])
    merged.event_id = stable_id(*sorted(ids), prefix="mev-")
    # The tightest window all reports allow; if they do not intersect, the most precise report's window.
    windows = [_window(e) for e in members if _window(e)]
    if windows:
        lo, hi = max(w[0] for w in windows), min(w[1] for w in windows)  # type: ignore[index]
        if lo <= hi:
            merged.date_earliest, merged.date_latest = lo, hi
    for f in (*_PLACE_FIELDS, "geo_precision"):
        setattr(merged, f, getattr(where, f))
    for f in _ACTOR_FIELDS:
        setattr(merged, f, getattr(who, f))
    merged.interaction = interaction(merged.inter1, merged.inter2)
    merged.sub_event_type = what.sub_event_type
    merged.disorder_type = what.disorder_type
    merged.fatalities, merged.fatalities_low, merged.fatalities_high = fatalities, low, high
    merged.certainty = min((e.certainty for e in members), key=lambda c: _CERTAINTY_RANK.get(c, 9))
    merged.confidence = max(e.confidence for e in members)
    attributions = sorted({e.attribution for e in members if e.attribution})
    merged.attribution = "; ".join(attributions) or None
    notes = base.notes or next((e.notes for e in members if e.notes), None)
    figures = sorted({r["fatalities"] for r in reports})
    if len(figures) > 1:
        said = "; ".join(f"{r['fatalities']} ({r['doc_id']})" for r in reports)
        notes = f"{notes + ' ' if notes else ''}[Fatalities reported: {said}; coded {fatalities}.]"
    merged.notes = notes
    sources = _sources(members, documents)
    merged.doc_id = sources[0]["doc_id"]
    return MergedEvent(
        event=merged,
        sources=sources,
        member_event_ids=ids,
        field_sources={
            "event_date": [member_id(when)],
            "location": [member_id(where)],
            "actors": [member_id(who)],
            "sub_event_type": [member_id(what)],
            "fatalities": fat_src,
        },
        fatality_reports=reports,
    )


def merge_events(
    events: Iterable[Event],
    documents: Mapping[str, Document] | None = None,
    *,
    rule: FatalityRule = "revised",
) -> list[MergedEvent]:
    """Merge reports of the same event; the output is the same for any order of `events`.

    `documents` (doc_id -> Document, text not needed) supplies titles, sources and publication dates for the
    `source` list and for the "revised" fatality rule; without it sources carry only their doc_id.
    """
    docs = documents or {}
    evs = list(events)
    keys = {id(e): _canonical_key(e) for e in evs}  # computed once: the costliest part of a merge
    clusters = _cluster(evs, keys)
    merged = [_merge_cluster(c, keys, docs, rule) for c in clusters]
    merged.sort(key=lambda m: (m.event.event_date or "", m.event.event_id))
    return merged


def document_meta(store: Store) -> dict[str, Document]:
    """doc_id -> Document with metadata only (no text): the newest stored version of each doc_id."""
    t = DocumentRow.__table__.c
    q = select(t.id, t.doc_id, t.title, t.source, t.url, t.published).order_by(t.id)
    out: dict[str, Document] = {}
    with store.engine.connect() as conn:
        for _, doc_id, title, source, url, published in conn.execute(q):
            pub = (
                published
                if isinstance(published, date) or published is None
                else date.fromisoformat(published)
            )
            out[doc_id] = Document(doc_id, "", published=pub, title=title, source=source, url=url)
    return out


def merged_events(store: Store, *, rule: FatalityRule = "revised") -> list[MergedEvent]:
    """Every stored event, merged across reports."""
    return merge_events(store.iter_events(), document_meta(store), rule=rule)
