"""Territorial control: a district x date state machine driven by territory events (see docs/control.md).

States: `government`, `held` (by a non-state actor, named in `holder`), `contested` (fighting reported, no
change of control), `unconfirmed` (a party's claim no report confirms, a transfer to nobody named, or a state
aged past `max_age_days` without new reports), `unknown` (the initial state when `initial="unknown"`).

Rules, applied to each district's events in date order (ties: event_id, so ingestion order does not matter):
1. Non-state actor overtakes territory -> `held` by actor1 (if actor1 is state forces or unnamed, the non-state
   actor2; if neither is named, holder is null). Certainty "claimed"/"disputed" -> `unconfirmed` with that holder.
2. Government regains territory -> `government`; claimed -> `unconfirmed` (holder the state actor).
3. ACLED's one-day rule: a capture followed by a capture or regain by another party in the same district on the
   same or the next day was not a hold: both events count as Armed clash (rule 4).
4. Armed clash, Air/drone strike, Shelling/artillery/missile attack -> `contested`, except in a district `held`
   by an actor that takes part in the event (the holder defending, or strikes on the holder's positions): it
   stays `held` and the event joins the evidence (and resets aging).
5. Non-violent transfer of territory, Agreement -> `held` by the non-state party (actor1, else actor2); with no
   non-state party, a transfer leaves `unconfirmed` (who holds it is not said) and an agreement changes nothing.
6. A reported event confirms a claim: the claim's `unconfirmed` state is replaced by the reported one.
7. Aging: a state set by events whose last event is more than `max_age_days` (default 30; None = never) before
   the as-of date reads `unconfirmed` (the aged state is kept in `aged_from`).
8. Districts with no territory events keep the initial state: `government` (default; the documented assumption
   for Afghanistan before May 2021) or `unknown`.

Events map to districts by admin2 name + admin1 through the gazetteer (GeoNames ADM2 codes: 398 Afghan districts),
or, when admin2 is missing and an imported boundary layer is given, by point-in-polygon for events located to a
town or near one (geo_precision 1-2). Which layer was used is in every output.
"""

from __future__ import annotations

import copy
import csv
import io
import json
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any, Literal

import typer

from frontlines.config import AsOfOption, DbOption
from frontlines.records import Event, Evidence

STATES = ("government", "held", "contested", "unconfirmed", "unknown")
CAPTURE = "Non-state actor overtakes territory"
REGAIN = "Government regains territory"
FIGHTING = frozenset({"Armed clash", "Air/drone strike", "Shelling/artillery/missile attack"})
TRANSFER = "Non-violent transfer of territory"
AGREEMENT = "Agreement"
TERRITORY_TYPES = frozenset({CAPTURE, REGAIN, TRANSFER, AGREEMENT}) | FIGHTING
GAZETTEER_LAYER = "geonames-adm2 (gazetteer; 398 Afghan districts)"


@dataclass(slots=True)
class DistrictState:
    code: str
    name: str | None
    admin1: str | None
    state: str
    holder: str | None = None
    since: str | None = None  # the date the current state began (None: initial state)
    last_event_date: str | None = None
    event_ids: list[str] = field(default_factory=list)  # the events behind the current state
    evidence: list[Evidence] = field(default_factory=list)
    rule: str = "initial"  # which rule set the state
    aged_from: str | None = None  # the state before aging turned it `unconfirmed`
    layer: str = GAZETTEER_LAYER
    latitude: float | None = None
    longitude: float | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["evidence"] = [asdict(e) for e in self.evidence]
        return d


@dataclass(slots=True)
class SiteState:
    site_id: str
    name: str
    kind: str
    admin1: str | None
    admin2: str | None
    state: str
    holder: str | None = None
    since: str | None = None
    last_event_date: str | None = None
    event_ids: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    rule: str = "initial"
    aged_from: str | None = None
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True, frozen=True)
class _Chain:
    """The events behind a state as a shared linked list: extending the support of a long-standing state is
    O(1), where copying a tuple per event made a district's machine quadratic in its events."""

    event: Event
    prev: _Chain | None

    def events(self) -> tuple[Event, ...]:
        out: list[Event] = []
        node: _Chain | None = self
        while node is not None:
            out.append(node.event)
            node = node.prev
        return tuple(reversed(out))


@dataclass(slots=True)
class _Snap:
    """The state of one unit after one event."""

    day: date
    state: str
    holder: str | None
    since: date | None
    last: date
    chain: _Chain | None
    rule: str
    # The state before a standing claim (what a report agreeing with it restores): with it, a snapshot is the
    # machine's whole state, and a run can resume from it.
    confirmed: tuple[str, str | None, date | None, _Chain | None] | None = None

    @property
    def events(self) -> tuple[Event, ...]:
        return self.chain.events() if self.chain is not None else ()


# ------------------------------------------------------------------------------------------------ the machine


def event_day(e: Event) -> date | None:
    d = e.event_date or e.date_latest or e.date_earliest
    try:
        return date.fromisoformat(d[:10]) if d else None
    except ValueError:
        return None


def _is_state(name: str | None, inter: str | None) -> bool:
    return inter == "State forces" or (name or "").startswith(("Military Forces of", "Police Forces of"))


def _non_state_party(e: Event) -> str | None:
    if e.actor1 and not _is_state(e.actor1, e.inter1):
        return e.actor1
    if e.actor2 and not _is_state(e.actor2, e.inter2) and not (e.actor2 or "").startswith("Civilians"):
        return e.actor2
    return None


def _parties(e: Event) -> set[str]:
    out = {e.actor1, e.actor2}
    for a in (e.assoc_actor_1, e.assoc_actor_2):
        out.update(x.strip() for x in (a or "").split(";"))
    return {x for x in out if x}


def _one_day_clashes(evs: Sequence[Event]) -> set[int]:
    """Indexes of captures (and the recaptures ending them) where the hold lasted a day or less (ACLED)."""
    return {k for pair in _one_day_pairs(evs) for k in pair}


def _one_day_pairs(evs: Sequence[Event], days: Sequence[date | None] | None = None) -> list[tuple[int, int]]:
    """(capture, the capture or regain ending it) index pairs of `_one_day_clashes` (`days`: event_day of each
    event, when the caller has them)."""
    days = [event_day(e) for e in evs] if days is None else days
    out: list[tuple[int, int]] = []
    for i, e in enumerate(evs):
        if e.sub_event_type != CAPTURE or e.certainty != "reported":
            continue
        d, taker = days[i], _non_state_party(e) or e.actor1
        for j in range(i + 1, len(evs)):
            f = evs[j]
            dj = days[j]
            if dj is None or d is None or (dj - d).days > 1:
                break
            if f.certainty != "reported":
                continue
            other = f.sub_event_type == REGAIN or (
                f.sub_event_type == CAPTURE and (_non_state_party(f) or f.actor1) != taker
            )
            if other:
                out.append((i, j))
                break
    return out


def run_machine(
    evs: Sequence[Event],
    initial: str = "government",
    *,
    days: Sequence[date | None] | None = None,
    pairs: Sequence[tuple[int, int]] | None = None,
    start: _Snap | None = None,
) -> list[_Snap]:
    """Snapshots after each territory event of one unit (events already sorted by day, event_id). `days` and
    `pairs`: the events' event_day and `_one_day_pairs`, when the caller has them. `start`: resume from this
    snapshot's state (the events follow the one it was taken after)."""
    days = [event_day(e) for e in evs] if days is None else days
    snaps: list[_Snap] = []
    state, holder, since = initial, None, None
    support: _Chain | None = None
    confirmed: tuple[str, str | None, date | None, _Chain | None] | None = None  # state before a claim
    if start is not None:
        state, holder, since = start.state, start.holder, start.since
        support, confirmed = start.chain, start.confirmed
    clashes = {k for pair in (_one_day_pairs(evs, days) if pairs is None else pairs) for k in pair}
    for i, e in enumerate(evs):
        day = days[i]
        if day is None:
            continue
        sub = "Armed clash" if i in clashes else e.sub_event_type
        claimed = e.certainty != "reported"
        new: tuple[str, str | None, str] | None = None  # (state, holder, rule)
        if sub == CAPTURE:
            taker = e.actor1 if e.actor1 and not _is_state(e.actor1, e.inter1) else _non_state_party(e)
            if e.actor1 and _is_state(e.actor1, e.inter1) and not taker:
                new = ("government", e.actor1, "2:regain")  # a state actor "overtaking": a regain
            else:
                new = ("held", taker, "1:capture")
        elif sub == REGAIN:
            new = ("government", e.actor1 if _is_state(e.actor1, e.inter1) else None, "2:regain")
        elif sub in FIGHTING:
            if state == "held" and holder and holder in _parties(e):
                new = ("held", holder, "4:holder-defends")
            elif state == "unconfirmed" and claimed:
                new = None  # a claimed clash does not confirm or refute a claim
            else:
                gov = holder if state in ("government", "contested") else None
                new = ("contested", gov, "3:one-day-hold" if i in clashes else "4:fighting")
        elif sub in (TRANSFER, AGREEMENT):
            taker = _non_state_party(e)
            if taker:
                new = ("held", taker, "5:transfer")
            elif sub == TRANSFER:
                new = ("unconfirmed", None, "5:transfer-unnamed")
        if new is None:
            continue
        st, hd, rule = new
        if claimed and st != "contested" and (st, hd) == (state, holder):
            support = _Chain(
                e, support
            )  # a claim agreeing with the standing state neither confirms nor downgrades
            snaps.append(_Snap(day, state, holder, since, day, support, rule + ":claimed", confirmed))
            continue
        if claimed and st != "contested":
            if state != "unconfirmed":
                confirmed = (state, holder, since, support)
            st, rule = "unconfirmed", rule + ":claimed"
        elif claimed:
            continue  # a claimed clash changes nothing
        if st == state and hd == holder:
            support = _Chain(e, support)
        else:
            if (
                state == "unconfirmed"
                and not claimed
                and confirmed
                and (confirmed[0], confirmed[1]) == (st, hd)
            ):
                # a report confirms the state before a claim
                since, support = confirmed[2], _Chain(e, confirmed[3])
            else:
                since, support = day, _Chain(e, None)
            state, holder = st, hd
            if not claimed:
                confirmed = None
        snaps.append(_Snap(day, state, holder, since, day, support, rule, confirmed))
    return snaps


def _state_at(snaps: Sequence[_Snap], as_of: date) -> _Snap | None:
    cur = None
    for s in snaps:
        if s.day > as_of:
            break
        cur = s
    return cur


def _sorted(evs: Iterable[Event]) -> list[Event]:
    return sorted(evs, key=lambda e: (event_day(e) or date.min, e.event_id or "", e.doc_id))


# ------------------------------------------------------------------------------------------------ districts


class DistrictIndex:
    """The district layer: units (gazetteer admin2 codes) and how events map to them."""

    def __init__(self, iso3: str = "AFG", boundary_layer: Any = None) -> None:
        from frontlines.geo.gazetteer import get_gazetteer

        self.gaz = get_gazetteer()
        self.iso3 = iso3.upper()
        self.units = {p.code: p for p in self.gaz.admin2_of(self.iso3) if p.code}
        self.boundary = boundary_layer
        self.name = (
            GAZETTEER_LAYER if self.iso3 == "AFG" else f"geonames-adm2 (gazetteer; {len(self.units)} units)"
        )
        if boundary_layer is not None:
            self.name += (
                f" + polygons from imported layer {boundary_layer.name!r} ({len(boundary_layer)} units)"
            )

    @lru_cache(maxsize=20_000)  # noqa: B019 - one index per command run
    def _by_name(self, admin2: str, admin1: str | None) -> str | None:
        for p in self.gaz.lookup(admin2, iso3=self.iso3, admin1=admin1, kinds={"admin2"}, limit=3):
            if p.code in self.units and (
                not admin1 or self.gaz.same_admin1(p.admin1 or "", admin1, self.iso3)
            ):
                return p.code
        return None

    def code_of(self, e: Event) -> str | None:
        if e.iso3 and e.iso3 != self.iso3:
            return None
        if e.admin2:
            code = self._by_name(e.admin2, e.admin1)
            if code:
                return code
        if self.boundary is not None and e.latitude is not None and e.longitude is not None:
            if (e.geo_precision or 3) <= 2:
                u = self.boundary.district_of_point(e.latitude, e.longitude)
                if u is not None and u.code in self.units:
                    return u.code
        return None

    def timelines(self, events: Iterable[Event], initial: str) -> dict[str, list[_Snap]]:
        by_code: dict[str, list[Event]] = defaultdict(list)
        for e in events:
            if e.sub_event_type in TERRITORY_TYPES:
                code = self.code_of(e)
                if code:
                    by_code[code].append(e)
        return {c: run_machine(_sorted(evs), initial) for c, evs in by_code.items()}


def _aged(snap: _Snap, as_of: date, max_age_days: int | None) -> tuple[str, str | None]:
    if max_age_days is not None and (as_of - snap.last).days > max_age_days and snap.state != "unconfirmed":
        return "unconfirmed", snap.state
    return snap.state, None


def _last_event(snaps: Sequence[_Snap], as_of: date) -> date | None:
    days = [s.day for s in snaps if s.day <= as_of]
    return max(days) if days else None


def _ends(snap: _Snap) -> tuple[Event, ...]:
    """The event that began a snapshot's state and the latest behind it (one event when they are the same)."""
    if snap.chain is None:
        return ()
    first = snap.chain
    while first.prev is not None:
        first = first.prev
    return (first.event,) if first is snap.chain else (first.event, snap.chain.event)


def _district_state(unit: Any, snaps: Sequence[_Snap], as_of: date, initial: str, max_age_days: int | None,
                    layer: str, *, evidence_ends: bool = False) -> DistrictState:  # fmt: skip
    snap = _state_at(snaps, as_of)
    ds = DistrictState(unit.code, unit.name, unit.admin1, initial, layer=layer, latitude=unit.latitude,
                       longitude=unit.longitude)  # fmt: skip
    if snap is None:
        return ds
    last = _last_event(snaps, as_of) or snap.last
    snap = _Snap(snap.day, snap.state, snap.holder, snap.since, last, snap.chain, snap.rule)
    ds.state, ds.aged_from = _aged(snap, as_of, max_age_days)
    if ds.aged_from:
        ds.rule = f"7:aged>{max_age_days}d"
    else:
        ds.rule = snap.rule
    ds.holder = snap.holder
    ds.since = snap.since.isoformat() if snap.since else None
    ds.last_event_date = last.isoformat()
    events = snap.events
    ds.event_ids = [e.event_id for e in events]
    # with evidence_ends, what `_ends` gives, read off the tuple already built
    shown = (events[0], events[-1]) if evidence_ends and len(events) > 1 else events
    ds.evidence = [ev for e in shown for ev in e.evidence]
    return ds


class ControlTimeline:
    """Every district's state machine run once over all its events, so the state on any day is a binary search
    per district instead of a new run over every event (what the API does per request on a large store).

    `states(as_of)` equals `control_as_of(events, as_of)`, including ACLED's one-day rule at the edge: a capture
    on `as_of` that the full history turns into a clash (recaptured the next day) still stands on `as_of`, so a
    district with such a capture on that very day is re-run over its events up to `as_of`. `counts(...)` equals
    `counts_over_time(events, ...)` (which reads the full history on every day).

    `fill_evidence`, when given, is called with the events behind the states about to be returned whose
    evidence has not been filled yet: a caller can load events without their evidence and fetch only these.
    """

    def __init__(
        self,
        events: Iterable[Event],
        *,
        layer: DistrictIndex | None = None,
        initial: str = "government",
        fill_evidence: Any = None,
    ) -> None:
        self.idx = layer or DistrictIndex()
        self.initial = initial
        self.fill_evidence = fill_evidence
        self._filled: set[int] = set()
        by_code: dict[str, list[Event]] = defaultdict(list)
        for e in events:
            if e.sub_event_type in TERRITORY_TYPES:
                code = self.idx.code_of(e)
                if code:
                    by_code[code].append(e)
        self.events: dict[str, list[Event]] = {}
        self.event_days: dict[str, list[int]] = {}  # each event's day as an ordinal (undated: 0), sorted
        self.snaps: dict[str, list[_Snap]] = {}
        self.snap_days: dict[str, list[int]] = {}
        self.edge_days: dict[str, set[date]] = {}  # days on which the one-day rule reads differently
        for code, unsorted in by_code.items():
            self._run(code, unsorted, None)

    def _run(self, code: str, unsorted: Iterable[Event], tiebreak: Any) -> None:
        """Sort one district's events as `_sorted` does (a stable sort: `tiebreak`, the input order, decides
        the last ties) and run its machine."""
        keyed = [(event_day(e), e) for e in unsorted]
        if tiebreak is None:
            keyed.sort(key=lambda p: (p[0] or date.min, p[1].event_id or "", p[1].doc_id))
        else:
            keyed.sort(key=lambda p: (p[0] or date.min, p[1].event_id or "", p[1].doc_id, tiebreak(p[1])))
        evs = [e for _, e in keyed]
        days = [d for d, _ in keyed]
        pairs = _one_day_pairs(evs, days)
        snaps = run_machine(evs, self.initial, days=days, pairs=pairs)
        self.events[code], self.snaps[code] = evs, snaps
        self.event_days[code] = [d.toordinal() if d is not None else 0 for d in days]
        self.snap_days[code] = [sn.day.toordinal() for sn in snaps]  # ints: bisect compares them fast
        edge = set()
        for i, j in pairs:
            di, dj = days[i], days[j]
            if di is not None and dj is not None and dj > di:
                edge.add(di)
        self.edge_days.pop(code, None)
        if edge:
            self.edge_days[code] = edge

    def updated(self, removed: set[int], added: Iterable[Event], tiebreak: Any) -> ControlTimeline:
        """A new timeline with the events whose id() is in `removed` gone and `added` in: only the districts
        they touch are run again; the others are shared with this one, which stays as it was (a request still
        reading it is not disturbed). `tiebreak(event)` orders events that tie on (day, event_id, doc_id) as
        the input order of a fresh build would (the row id)."""
        new = copy.copy(self)
        new.events, new.snaps, new.event_days = dict(self.events), dict(self.snaps), dict(self.event_days)
        new.snap_days, new.edge_days = dict(self.snap_days), dict(self.edge_days)
        new._filled = self._filled - removed
        touched: dict[str, list[Event]] = {}
        if removed:
            for code, evs in self.events.items():
                if any(id(e) in removed for e in evs):
                    touched[code] = [e for e in evs if id(e) not in removed]
        for e in added:
            if e.sub_event_type in TERRITORY_TYPES:
                code = self.idx.code_of(e)
                if code:
                    touched.setdefault(code, list(self.events.get(code, ()))).append(e)
        for code, evs in touched.items():
            new._run(code, evs, tiebreak)
        return new

    def _snap_at(self, code: str, as_of: date, *, prefix: bool) -> list[_Snap]:
        """The one snapshot `_district_state` needs (the last on or before `as_of`), as a list."""
        if code not in self.snaps:
            return []
        if prefix and as_of in self.edge_days.get(code, ()):
            return self._prefix_snap(code, as_of)
        k = bisect_right(self.snap_days[code], as_of.toordinal())
        return self.snaps[code][k - 1 : k]

    def _prefix_snap(self, code: str, as_of: date) -> list[_Snap]:
        """The last snapshot of a run over the events up to `as_of` only, on a day the full history reads
        differently (a capture on `as_of` recaptured the next day is still a capture on `as_of`).

        Only the pairing of captures on `as_of` differs between the two runs, so the full run's state before
        `as_of` is the prefix run's too: the machine resumes from it over that day's events, with the pairs
        the day before and the day itself make (a capture the day before may pair with an event that day)."""
        evs, days, o = self.events[code], self.event_days[code], as_of.toordinal()
        i_prev, i0, i_end = bisect_left(days, o - 1), bisect_left(days, o), bisect_right(days, o)
        k = bisect_left(self.snap_days[code], o)
        start = self.snaps[code][k - 1] if k else None
        window = evs[i_prev:i_end]
        shift = i0 - i_prev
        pairs = [
            (a - shift, b - shift)
            for a, b in _one_day_pairs(window, [event_day(e) for e in window])
            if a >= shift or b >= shift
        ]
        snaps = run_machine(evs[i0:i_end], self.initial, pairs=pairs, start=start)
        return snaps[-1:] if snaps else ([start] if start is not None else [])

    def _fill(self, events: Iterable[Event]) -> None:
        if self.fill_evidence is None:
            return
        todo = {id(e): e for e in events if id(e) not in self._filled}
        if todo:
            self.fill_evidence(list(todo.values()))
            self._filled.update(todo)

    def states(
        self, as_of: date, *, max_age_days: int | None = 30, evidence: Literal["all", "ends"] = "all"
    ) -> list[DistrictState]:
        """The state of every district on `as_of`, by admin1, name (as `control_as_of`).

        `evidence="ends"`: each state's evidence is that of the event that began it and of the latest event
        behind it (`event_ids` still lists them all). A state long upheld stands on hundreds of events, and
        fetching every one's spans was most of a request on a large store. These spans are fetched for the
        call and not kept on the events: a server would otherwise hold every span it ever showed, and the
        garbage collector walked them all (pauses of 200 ms once a store of 1M events had been browsed)."""
        idx = self.idx
        at = {c: self._snap_at(c, as_of, prefix=True) for c in idx.units}
        ends = evidence == "ends"
        lent: list[tuple[Event, list[Evidence]]] = []  # (event, the list it had): put back afterwards
        if ends and self.fill_evidence is not None:
            wanted = {id(e): e for snaps in at.values() for sn in snaps for e in _ends(sn)}
            lent = [(e, e.evidence) for k, e in wanted.items() if k not in self._filled]
            if lent:
                self.fill_evidence([e for e, _ in lent])
        elif not ends:
            self._fill(e for snaps in at.values() for sn in snaps for e in sn.events)
        out = [
            _district_state(u, at[c], as_of, self.initial, max_age_days, idx.name, evidence_ends=ends)
            for c, u in idx.units.items()
        ]
        for e, had in lent:
            e.evidence = had  # the same (frozen, empty) list object: a new one would be another to collect
        return sorted(out, key=lambda d: (d.admin1 or "", d.name or "", d.code))

    def counts(
        self, start: date, end: date, step_days: int = 7, *, max_age_days: int | None = 30
    ) -> list[dict[str, Any]]:
        """Districts per state on `start`, `start + step`, ... up to `end` (as `counts_over_time`)."""
        idx = self.idx
        days, d = [], start
        while d <= end:
            days.append(d)
            d += timedelta(days=step_days)
        if days and days[-1] != end:
            days.append(end)
        out = []
        for day in days:
            counts = dict.fromkeys(STATES, 0)
            counts[self.initial] += len(idx.units) - len(self.snaps)
            ordinal = day.toordinal()
            for code in self.snaps:
                # The state `_district_state` gives, without building its event and evidence lists.
                k = bisect_right(self.snap_days[code], ordinal)
                if k == 0:
                    counts[self.initial] += 1
                    continue
                snap = self.snaps[code][k - 1]
                counts[_aged(snap, day, max_age_days)[0]] += 1
            out.append({"date": day.isoformat(), **counts, "total": len(idx.units), "layer": idx.name})
        return out


def control_as_of(
    events: Iterable[Event],
    as_of: date,
    *,
    layer: DistrictIndex | None = None,
    initial: str = "government",
    max_age_days: int | None = 30,
) -> list[DistrictState]:
    """The state of every district of the layer on `as_of` (events after it are ignored), by admin1, name."""
    idx = layer or DistrictIndex()
    tl = idx.timelines((e for e in events if (event_day(e) or date.max) <= as_of), initial)
    out = [
        _district_state(u, tl.get(c, ()), as_of, initial, max_age_days, idx.name)
        for c, u in idx.units.items()
    ]
    return sorted(out, key=lambda d: (d.admin1 or "", d.name or "", d.code))


def first_captures(events: Iterable[Event], *, layer: DistrictIndex | None = None) -> dict[str, date]:
    """District code -> the first day a non-state actor held it by a confirmed report (after the one-day rule)."""
    idx = layer or DistrictIndex()
    out: dict[str, date] = {}
    for code, snaps in idx.timelines(events, "government").items():
        for s in snaps:
            if s.state == "held":
                out[code] = s.since or s.day
                break
    return out


def counts_over_time(
    events: Iterable[Event],
    start: date,
    end: date,
    step_days: int = 7,
    *,
    layer: DistrictIndex | None = None,
    initial: str = "government",
    max_age_days: int | None = 30,
) -> list[dict[str, Any]]:
    """Districts per state on `start`, `start + step`, ... up to `end` (and `end` itself)."""
    tl = ControlTimeline(events, layer=layer, initial=initial)
    return tl.counts(start, end, step_days, max_age_days=max_age_days)


# ------------------------------------------------------------------------------------------------ key sites


@lru_cache(maxsize=1)
def load_key_sites() -> tuple[dict[str, str], ...]:
    """Rows of data/key_sites.csv (border crossings, provincial capitals, bases)."""
    text = resources.files("frontlines.data").joinpath("key_sites.csv").read_text(encoding="utf-8")
    return tuple(dict(r) for r in csv.DictReader(io.StringIO(text)))


@lru_cache(maxsize=1)
def _supplement_aliases() -> dict[str, list[str]]:
    text = resources.files("frontlines.data").joinpath("places_supplement.csv").read_text(encoding="utf-8")
    return {
        r["id"]: [a for a in (r.get("aliases") or "").split("|") if a]
        for r in csv.DictReader(io.StringIO(text))
    }


def _site_keys(row: dict[str, str]) -> set[str]:
    from frontlines.geo.gazetteer import name_key

    names = [row["name"], *(a for a in (row.get("aliases") or "").split("|") if a)]
    names += _supplement_aliases().get(row.get("gazetteer_code") or "", [])
    return {name_key(n) for n in names if n}


def key_sites_as_of(
    events: Iterable[Event],
    as_of: date,
    *,
    initial: str = "government",
    max_age_days: int | None = 30,
    sites: Sequence[dict[str, str]] | None = None,
) -> list[SiteState]:
    """The control state of every key site on `as_of`, from events located at the site (its name or an alias
    as the event's location, geo_precision 1, in the site's province), by the district rules. `sites`: rows
    like data/key_sites.csv's (default: that file)."""
    from frontlines.geo.gazetteer import get_gazetteer, name_key

    gaz = get_gazetteer()
    sites = load_key_sites() if sites is None else tuple(sites)
    by_key: dict[str, list[int]] = defaultdict(list)
    for i, row in enumerate(sites):
        for k in _site_keys(row):
            by_key[k].append(i)
    evs: dict[int, list[Event]] = defaultdict(list)
    for e in events:
        if e.sub_event_type not in TERRITORY_TYPES or not e.location or (event_day(e) or date.max) > as_of:
            continue
        if (e.geo_precision or 1) > 1:
            continue  # "near X" or a region coded to its capital's point is not the site itself
        for i in by_key.get(name_key(e.location), ()):
            a1 = sites[i].get("admin1")
            if not a1 or not e.admin1 or gaz.same_admin1(a1, e.admin1, "AFG"):
                evs[i].append(e)
    out = []
    for i, row in enumerate(sites):
        snaps = run_machine(_sorted(evs.get(i, ())), initial)
        attrs = {k: v for k, v in row.items() if k not in ("id", "name", "kind", "admin1", "admin2") and v}
        st = SiteState(row["id"], row["name"], row["kind"], row.get("admin1"), row.get("admin2"), initial,
                       attributes=attrs)  # fmt: skip
        snap = _state_at(snaps, as_of)
        if snap is not None:
            st.state, st.aged_from = _aged(snap, as_of, max_age_days)
            st.rule = f"7:aged>{max_age_days}d" if st.aged_from else snap.rule
            st.holder, st.since = snap.holder, snap.since.isoformat() if snap.since else None
            st.last_event_date = snap.last.isoformat()
            st.event_ids = [e.event_id for e in snap.events]
            st.evidence = [ev for e in snap.events for ev in e.evidence]
        out.append(st)
    return out


# ------------------------------------------------------------------------------------------------ command

_COLUMNS = (
    "code",
    "name",
    "admin1",
    "state",
    "holder",
    "since",
    "last_event_date",
    "rule",
    "aged_from",
    "event_ids",
)


def _flat(d: DistrictState) -> dict[str, Any]:
    row = {c: getattr(d, c) for c in _COLUMNS}
    row["event_ids"] = ";".join(d.event_ids)
    return row


def render(states: Sequence[DistrictState], fmt: str, as_of: date, polygons: Any = None) -> str:
    layer = states[0].layer if states else GAZETTEER_LAYER
    counts = {s: sum(d.state == s for d in states) for s in STATES}
    if fmt == "geojson":
        feats = []
        for d in states:
            unit = polygons.by_code.get(d.code) if polygons is not None else None
            if unit is not None:
                from shapely.geometry import mapping

                geom: dict[str, Any] | None = mapping(unit.geometry)
            elif d.latitude is not None and d.longitude is not None:
                geom = {"type": "Point", "coordinates": [d.longitude, d.latitude]}
            else:
                geom = None
            props = _flat(d)
            props["evidence"] = [ev.text for ev in d.evidence]
            feats.append({"type": "Feature", "geometry": geom, "properties": props})
        meta = {"as_of": as_of.isoformat(), "layer": layer, "counts": counts,
                "geometry": "imported polygons" if polygons is not None else "district centres (gazetteer)"}  # fmt: skip
        return (
            json.dumps({"type": "FeatureCollection", "metadata": meta, "features": feats}, default=str) + "\n"
        )
    if fmt == "csv":
        buf = io.StringIO()
        w = csv.DictWriter(buf, fieldnames=[*_COLUMNS, "layer"])
        w.writeheader()
        for d in states:
            w.writerow({**_flat(d), "layer": d.layer})
        return buf.getvalue()
    from rich.console import Console
    from rich.table import Table

    summary = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
    t = Table(title=f"Control on {as_of.isoformat()} ({len(states)} districts: {summary}); layer: {layer}")
    for c in ("admin1", "name", "state", "holder", "since", "last_event_date", "rule"):
        t.add_column(c)
    for d in states:
        t.add_row(*(str(getattr(d, c) or "") for c in ("admin1", "name", "state", "holder", "since",
                                                       "last_event_date", "rule")))  # fmt: skip
    console = Console(file=io.StringIO(), width=160, record=True)
    console.print(t)
    return console.export_text()


def control_command(
    as_of: AsOfOption = None,
    db: DbOption = None,
    country: Annotated[str, typer.Option("--country", help="ISO3 code of the country.")] = "AFG",
    format: Annotated[str, typer.Option("--format", help="table | csv | geojson")] = "table",
    initial: Annotated[str, typer.Option("--initial", help="State without events: government | unknown")] = (
        "government"
    ),
    max_age_days: Annotated[
        int,
        typer.Option(
            "--max-age-days", help="Days without reports before a state reads unconfirmed (0: never)."
        ),
    ] = 30,
) -> None:
    """Who holds each district on a date: one row per district, with the events behind its state."""
    from frontlines.config import resolve_db_url
    from frontlines.geo.boundaries import default_layer
    from frontlines.store.db import open_store

    if format not in ("table", "csv", "geojson") or initial not in ("government", "unknown"):
        typer.echo("error: --format must be table|csv|geojson and --initial government|unknown", err=True)
        raise typer.Exit(2)
    try:
        day = date.fromisoformat(as_of) if as_of else None
    except ValueError:
        typer.echo(f"error: --as-of {as_of!r} is not a YYYY-MM-DD date", err=True)
        raise typer.Exit(2) from None
    with open_store(resolve_db_url(db)) as store:
        polygons = default_layer(store, country)
        idx = DistrictIndex(country, polygons)
        if not idx.units:
            typer.echo(f"error: no districts for country {country!r} in the gazetteer", err=True)
            raise typer.Exit(2)
        events = [e for e in store.iter_events() if e.sub_event_type in TERRITORY_TYPES]
    if day is None:
        days = [d for d in map(event_day, events) if d]
        day = max(days) if days else date.today()
    states = control_as_of(events, day, layer=idx, initial=initial, max_age_days=max_age_days or None)
    typer.echo(render(states, format, day, polygons), nl=False)
    raise typer.Exit(0)
