"""Analyst review: confirm, reject, correct and revert events, each change recorded in an append-only audit log.

A review is keyed by the stable `event_id` (row ids change whenever a report is re-extracted; event ids do not),
and lives beside the extractor's rows, never in them: `event_reviews` holds the current status and the
analyst-set values, which overlay the extractor's values whenever events are read (`Store.iter_events`, the API).
Re-extraction replaces event rows and leaves reviews alone, so a correction survives it.

Every change writes its audit row in the same transaction as the overlay change: who, when (UTC), what, the
values before and after, and the exact overlay state to restore on revert.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Select, delete, func, insert, select, update

from frontlines import acled
from frontlines.store.models import AuditRow, EventRow, ReviewRow

if TYPE_CHECKING:
    from frontlines.store.repository import Store

STATUSES = ("unreviewed", "confirmed", "corrected", "rejected")
ACTIONS = ("confirm", "reject", "correct", "revert")
_STATUS_OF = {"confirm": "confirmed", "reject": "rejected", "correct": "corrected"}
CERTAINTIES = ("reported", "claimed", "disputed")
DISORDER_TYPES = tuple(sorted({acled.disorder_type(s) for s in acled.SUB_EVENT_TYPES}))

# Fields an analyst may set, by kind. disorder_type and interaction are derived from the sub-event type and the
# inter categories (as the extractor derives them), so they follow a correction instead of being set by hand.
_DATES = ("event_date", "date_earliest", "date_latest")
_PRECISIONS = ("time_precision", "geo_precision")
_COUNTS = ("fatalities", "fatalities_low", "fatalities_high")
_TEXTS = {
    "actor1": 300,
    "assoc_actor_1": 600,
    "actor2": 300,
    "assoc_actor_2": 600,
    "country": 100,
    "admin1": 200,
    "admin2": 200,
    "admin3": 200,
    "location": 300,
    "attribution": 300,
    "notes": 10_000,
}
EDITABLE: tuple[str, ...] = (
    *_DATES,
    *_PRECISIONS,
    "event_type",
    "sub_event_type",
    "inter1",
    "inter2",
    "civilian_targeting",
    "iso3",
    "latitude",
    "longitude",
    *_COUNTS,
    "certainty",
    *_TEXTS,
)
DERIVED = ("disorder_type", "interaction")
MAX_COUNT = 1_000_000  # above any single event's toll; keeps exports' integer columns in range


class ReviewError(ValueError):
    """A review request that cannot be applied (unknown field, value outside ACLED's vocabulary, ...)."""


class ReviewNotFound(LookupError):
    """No such event or audit entry."""


class ReviewConflict(RuntimeError):
    """The change was already reverted."""


@dataclass(slots=True)
class Overlay:
    """An event's current review: status and the analyst-set values."""

    status: str = "unreviewed"
    fields: dict[str, Any] = field(default_factory=dict)


def _now() -> datetime:
    return datetime.now(UTC)


# ---------------------------------------------------------------------------------------------- reading


def has_reviews(conn: Connection) -> bool:
    """Whether any event carries a review (reads skip the overlay step entirely when none does)."""
    return conn.execute(select(ReviewRow.id).limit(1)).first() is not None


def load_overlays(conn: Connection, event_ids: Iterable[str]) -> dict[str, Overlay]:
    """event_id -> Overlay for those of `event_ids` that carry a review (bounded IN lists)."""
    ids = list(dict.fromkeys(event_ids))
    out: dict[str, Overlay] = {}
    for i in range(0, len(ids), 900):
        q = select(ReviewRow.event_id, ReviewRow.status, ReviewRow.fields).where(
            ReviewRow.event_id.in_(ids[i : i + 900])
        )
        for eid, status, fields in conn.execute(q):
            out[eid] = Overlay(status, dict(fields or {}))
    return out


def rejected_ids() -> Select[tuple[str]]:
    """A subquery of the rejected events' ids, for `EventRow.event_id.not_in(rejected_ids())`."""
    return select(ReviewRow.event_id).where(ReviewRow.status == "rejected")


def reviewed_ids() -> Select[tuple[str]]:
    """A subquery of the ids of events whose values an analyst set."""
    return select(ReviewRow.event_id)


def apply_overlay(
    values: Mapping[str, Any], overlay: Overlay | None, *, iso_dates: bool = True
) -> dict[str, Any]:
    """`values` (one event's columns) with the analyst-set values in place. Dates in an overlay are ISO
    strings; `iso_dates=False` turns them into `date` for callers that hold dates."""
    out = dict(values)
    if overlay is None:
        return out
    for k, v in overlay.fields.items():
        if k in out:
            out[k] = v if iso_dates or k not in _DATES or v is None else date.fromisoformat(v)
    return out


def review_version(conn: Connection) -> int:
    """The newest audit id: it changes with every review action (the API's cache key includes it)."""
    return int(conn.execute(select(func.coalesce(func.max(AuditRow.id), 0))).scalar_one())


@dataclass(slots=True)
class ReviewedSet:
    """What a filtered listing needs to know of the reviews: which events are rejected, and every row of a
    corrected event with its reviewed values (few: reviews are made by hand)."""

    rejected: list[str]
    corrected: list[str]
    rows: list[tuple[int, dict[str, Any]]]


def reviewed_set(conn: Connection, columns: Iterable[str]) -> ReviewedSet:
    """The reviews and the reviewed values of `columns` for every row of a corrected event."""
    rejected, corrected = [], []
    overlays: dict[str, Overlay] = {}
    for eid, status, fields in conn.execute(select(ReviewRow.event_id, ReviewRow.status, ReviewRow.fields)):
        if status == "rejected":
            rejected.append(eid)
        if fields:
            corrected.append(eid)
            overlays[eid] = Overlay(status, dict(fields))
    t = EventRow.__table__.c
    cols = list(dict.fromkeys(["event_id", *columns]))
    rows: list[tuple[int, dict[str, Any]]] = []
    for i in range(0, len(corrected), 900):
        q = select(t.id, *(t[c] for c in cols)).where(t.event_id.in_(corrected[i : i + 900]))
        for r in conn.execute(q).mappings():
            vals = {c: _jsonable(r[c]) for c in cols}
            rows.append((r["id"], apply_overlay(vals, overlays[r["event_id"]])))
    return ReviewedSet(rejected, corrected, rows)


def matches(f: Mapping[str, Any], v: Mapping[str, Any]) -> bool:
    """Whether reviewed values `v` pass the API's event filters `f`, with the SQL filters' semantics."""
    d = v.get("event_date")
    if f.get("date_from") and (d is None or d < f["date_from"].isoformat()):
        return False
    if f.get("date_to") and (d is None or d > f["date_to"].isoformat()):
        return False
    for col in ("event_type", "sub_event_type", "certainty"):
        if f.get(col) and v.get(col) != f[col]:
            return False
    for col in ("admin1", "admin2"):
        if f.get(col) and (v.get(col) or "").lower() != f[col].lower():
            return False
    if f.get("actor"):
        needle = f["actor"].lower()
        actors = ("actor1", "actor2", "assoc_actor_1", "assoc_actor_2")
        if not any(needle in (v.get(c) or "").lower() for c in actors):
            return False
    if f.get("q") and f["q"].lower() not in (v.get("notes") or "").lower():
        return False
    if f.get("bbox"):
        minlon, minlat, maxlon, maxlat = f["bbox"]
        lon, lat = v.get("longitude"), v.get("latitude")
        if lon is None or lat is None or not (minlon <= lon <= maxlon and minlat <= lat <= maxlat):
            return False
    return True


def review_fields(overlay: Overlay | None) -> tuple[str, list[str]]:
    """(review_status, sorted analyst-set field names) for an event's overlay (None: unreviewed)."""
    if overlay is None:
        return "unreviewed", []
    return overlay.status, sorted(overlay.fields)


# ---------------------------------------------------------------------------------------------- validation


def _fail(name: str, why: str) -> ReviewError:
    return ReviewError(f"{name}: {why}")


def _int(name: str, v: Any, lo: int, hi: int | None, nullable: bool) -> int | None:
    if v is None and nullable:
        return None
    if isinstance(v, bool) or not isinstance(v, int):
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        else:
            raise _fail(name, f"expected a whole number, got {v!r}")
    if v < lo or (hi is not None and v > hi):
        raise _fail(name, f"{v} is outside {lo}..{hi if hi is not None else ''}")
    return v


def _check_value(name: str, v: Any) -> Any:
    """One field's value, checked against ACLED's vocabulary and normalised (ints, ISO dates)."""
    if name in _DATES:
        if v is None and name != "event_date":
            return None
        if not isinstance(v, str):
            raise _fail(name, "expected an ISO date YYYY-MM-DD")
        try:
            return date.fromisoformat(v).isoformat()
        except ValueError:
            raise _fail(name, f"{v!r} is not an ISO date YYYY-MM-DD") from None
    if name in _PRECISIONS:
        return _int(name, v, 1, 3, nullable=False)
    if name in _COUNTS:
        return _int(name, v, 0, MAX_COUNT, nullable=name != "fatalities")
    if name == "event_type":
        if v not in acled.EVENT_TYPES:
            raise _fail(name, f"{v!r} is not an ACLED event type")
        return v
    if name == "sub_event_type":
        if v not in acled.SUB_EVENT_TYPES:
            raise _fail(name, f"{v!r} is not an ACLED sub-event type")
        return v
    if name in ("inter1", "inter2"):
        if v is None and name == "inter2":
            return None
        if v not in acled.INTER_CATEGORIES:
            raise _fail(name, f"{v!r} is not an ACLED inter category")
        return v
    if name == "civilian_targeting":
        if v not in (None, "Civilian targeting"):
            raise _fail(name, "must be 'Civilian targeting' or null")
        return v
    if name == "certainty":
        if v not in CERTAINTIES:
            raise _fail(name, f"must be one of {', '.join(CERTAINTIES)}")
        return v
    if name == "iso3":
        if v is not None and not (isinstance(v, str) and len(v) == 3 and v.isascii() and v.isupper()):
            raise _fail(name, "must be three upper-case letters or null")
        return v
    if name in ("latitude", "longitude"):
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int | float):
            raise _fail(name, f"expected a number, got {v!r}")
        bound = 90 if name == "latitude" else 180
        if not -bound <= float(v) <= bound:
            raise _fail(name, f"{v} is outside -{bound}..{bound}")
        return float(v)
    if name in _TEXTS:
        if v is None:
            return None
        if not isinstance(v, str):
            raise _fail(name, f"expected text, got {type(v).__name__}")
        if "\x00" in v:
            raise _fail(name, "contains a NUL character")
        v = v.strip()
        if len(v) > _TEXTS[name]:
            raise _fail(name, f"longer than {_TEXTS[name]} characters")
        return v or None
    if name in DERIVED:
        raise _fail(name, "is derived (from sub_event_type / inter1 and inter2), set those instead")
    raise _fail(name, "unknown or read-only field")


def validate_correction(fields: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The values a correction sets: `fields` checked and normalised, plus the fields they imply (event_type
    from a sub-event type, disorder_type, interaction), checked together with `current` (the event as read)."""
    if not isinstance(fields, Mapping) or not fields:
        raise ReviewError("fields: a correction needs at least one field")
    out = {str(k): _check_value(str(k), v) for k, v in fields.items()}
    merged = {**current, **out}
    if "sub_event_type" in out or "event_type" in out:
        sub = merged.get("sub_event_type")
        if "sub_event_type" in out and "event_type" not in out:
            out["event_type"] = acled.EVENT_TYPE_OF[sub]  # the sub-event type names its event type
        elif sub is None or acled.EVENT_TYPE_OF.get(sub) != merged.get("event_type"):
            raise ReviewError(
                f"event_type: {merged.get('event_type')!r} does not contain sub_event_type {sub!r}"
            )
        merged = {**current, **out}
        out["disorder_type"] = acled.disorder_type(out.get("sub_event_type") or sub)
    if "inter1" in out or "inter2" in out:
        out["interaction"] = acled.interaction(merged.get("inter1"), merged.get("inter2"))
    lo, hi = merged.get("fatalities_low"), merged.get("fatalities_high")
    if lo is not None and hi is not None and lo > hi:
        raise ReviewError("fatalities_low: greater than fatalities_high")
    a, b = merged.get("date_earliest"), merged.get("date_latest")
    if a and b and str(a) > str(b):
        raise ReviewError("date_earliest: after date_latest")
    return out


# ---------------------------------------------------------------------------------------------- writing


def _jsonable(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


class Reviews:
    """Review actions and the audit log over one store. Reviewer = the API token's name."""

    def __init__(self, store: Store) -> None:
        self.store = store

    # -- reads

    def event_id_of(self, row_id: int) -> str | None:
        with self.store.engine.connect() as conn:
            return conn.execute(select(EventRow.event_id).where(EventRow.id == row_id)).scalar_one_or_none()

    def row_of(self, event_id: str) -> int | None:
        """The newest stored row of `event_id`."""
        with self.store.engine.connect() as conn:
            return conn.execute(
                select(func.max(EventRow.id)).where(EventRow.event_id == event_id)
            ).scalar_one()

    def overlay(self, event_id: str) -> Overlay | None:
        with self.store.engine.connect() as conn:
            return load_overlays(conn, [event_id]).get(event_id)

    def audit(
        self, event_id: str | None = None, limit: int = 50, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int]:
        """(entries newest first, total) of the audit log, optionally for one event."""
        t = AuditRow.__table__.c
        cond = [t.event_id == event_id] if event_id is not None else []
        with self.store.engine.connect() as conn:
            total = conn.execute(
                select(func.count()).select_from(AuditRow.__table__).where(*cond)
            ).scalar_one()
            rows = conn.execute(
                select(AuditRow.__table__).where(*cond).order_by(t.id.desc()).limit(limit).offset(offset)
            ).mappings()
            items = [
                {
                    "id": r["id"],
                    "event_id": r["event_id"],
                    "reviewer": r["reviewer"],
                    "at": _utc(r["at"]).isoformat(),
                    "action": r["action"],
                    "fields": list(r["fields"] or []),
                    "before": dict(r["before"] or {}),
                    "after": dict(r["after"] or {}),
                    "note": r["note"],
                    "reverted_by": r["reverted_by"],
                }
                for r in rows
            ]
        return items, total

    # -- writes

    def review(
        self,
        event_id: str,
        action: str,
        reviewer: str,
        fields: Mapping[str, Any] | None = None,
        note: str | None = None,
    ) -> int:
        """Confirm, reject or correct the event `event_id`; returns the audit entry's id.

        Raises ReviewNotFound (no such event), ReviewError (bad action, field or value).
        """
        if action not in _STATUS_OF:
            raise ReviewError(f"action: must be one of {', '.join(_STATUS_OF)}")
        if action != "correct" and fields:
            raise ReviewError("fields: only a correction sets fields")
        note = _check_note(note)
        with self.store.engine.begin() as conn:
            _lock_for_write(conn)
            base = _baseline(conn, event_id)
            prior = _locked_overlay(conn, event_id)
            current = apply_overlay(base, prior)
            new = Overlay(prior.status, dict(prior.fields))
            new.status = _STATUS_OF[action]
            touched: list[str] = []
            if action == "correct":
                sets = validate_correction(fields or {}, current)
                new.fields.update(sets)
                touched = sorted(sets)
            after = apply_overlay(base, new)
            restore = {
                "status": prior.status,
                "set": {k: prior.fields[k] for k in touched if k in prior.fields},
                "unset": [k for k in touched if k not in prior.fields],
            }
            return _write(
                conn, event_id, reviewer, action, touched, current, prior, after, new, restore, note
            )

    def revert(self, audit_id: int, reviewer: str, note: str | None = None) -> tuple[int, str]:
        """Restore the state before audit entry `audit_id` (its status and the fields it touched): a new
        "revert" entry, the original marked `reverted_by`. Returns (new audit id, event_id).

        Raises ReviewNotFound, ReviewConflict (already reverted).
        """
        note = _check_note(note)
        t = AuditRow.__table__.c
        with self.store.engine.begin() as conn:
            _lock_for_write(conn)
            entry = conn.execute(select(AuditRow.__table__).where(t.id == audit_id)).mappings().first()
            if entry is None:
                raise ReviewNotFound(f"no audit entry {audit_id}")
            if entry["reverted_by"] is not None:
                raise ReviewConflict(f"audit entry {audit_id} was already reverted by {entry['reverted_by']}")
            event_id = entry["event_id"]
            base = _baseline(conn, event_id)
            prior = _locked_overlay(conn, event_id)
            current = apply_overlay(base, prior)
            spec = dict(entry["restore"] or {})
            # The status goes back only while it is still the one this change set: reverting an old correction
            # does not undo a later rejection.
            set_status = (entry["after"] or {}).get("review_status")
            status = spec.get("status", "unreviewed") if prior.status == set_status else prior.status
            new = Overlay(status, dict(prior.fields))
            touched = list(entry["fields"] or [])
            for k in touched:
                new.fields.pop(k, None)
            new.fields.update(spec.get("set") or {})
            if new.status == "corrected" and not new.fields:
                new.status = "unreviewed"  # nothing corrected is left
            after = apply_overlay(base, new)
            restore = {
                "status": prior.status,
                "set": {k: prior.fields[k] for k in touched if k in prior.fields},
                "unset": [k for k in touched if k not in prior.fields],
            }
            new_id = _write(
                conn, event_id, reviewer, "revert", touched, current, prior, after, new, restore, note
            )
            # Conditional: of two concurrent reverts of one entry, only one marks it; the other rolls back.
            res = conn.execute(
                update(AuditRow.__table__)
                .where(t.id == audit_id, t.reverted_by.is_(None))
                .values(reverted_by=new_id)
            )
            if res.rowcount != 1:
                raise ReviewConflict(f"audit entry {audit_id} was already reverted")
            return new_id, event_id


def _check_note(note: str | None) -> str | None:
    if note is None:
        return None
    if not isinstance(note, str) or len(note) > 5000 or "\x00" in note:
        raise ReviewError("note: text of at most 5000 characters, without NUL")
    return note.strip() or None


def _utc(at: datetime) -> datetime:
    # SQLite hands back naive datetimes; every stored time is UTC.
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _lock_for_write(conn: Connection) -> None:
    """SQLite: take the write lock before reading (BEGIN IMMEDIATE, waiting out busy_timeout), so a review
    that read the state is never refused at its write because another writer got in between; PostgreSQL
    locks the event's row instead (`_baseline`)."""
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def _baseline(conn: Connection, event_id: str) -> dict[str, Any]:
    """The extractor's values for `event_id` (its newest row), dates as ISO strings. On PostgreSQL the row
    stays locked until the transaction ends, so two reviews of one event run one after the other."""
    cols = [EventRow.__table__.c[c] for c in (*EDITABLE, *DERIVED)]
    q = select(*cols).where(EventRow.event_id == event_id).order_by(EventRow.id.desc()).limit(1)
    if conn.dialect.name == "postgresql":
        q = q.with_for_update()
    row = conn.execute(q).mappings().first()
    if row is None:
        raise ReviewNotFound(f"no event {event_id!r}")
    return {k: _jsonable(v) for k, v in row.items()}


def _locked_overlay(conn: Connection, event_id: str) -> Overlay:
    """The current overlay (read after `_baseline` took the event's lock)."""
    row = conn.execute(
        select(ReviewRow.status, ReviewRow.fields).where(ReviewRow.event_id == event_id)
    ).first()
    return Overlay(row[0], dict(row[1] or {})) if row else Overlay()


def _write(
    conn: Connection,
    event_id: str,
    reviewer: str,
    action: str,
    touched: list[str],
    current: dict[str, Any],
    prior: Overlay,
    after: dict[str, Any],
    new: Overlay,
    restore: dict[str, Any],
    note: str | None,
) -> int:
    """Store the new overlay and its audit entry (same transaction); returns the audit id."""
    now = _now()
    t = ReviewRow.__table__
    exists = conn.execute(select(t.c.id).where(t.c.event_id == event_id)).first() is not None
    if new.status == "unreviewed" and not new.fields:
        conn.execute(delete(t).where(t.c.event_id == event_id))  # no row: unreviewed, nothing to overlay
    elif exists:
        conn.execute(
            update(t)
            .where(t.c.event_id == event_id)
            .values(status=new.status, fields=new.fields, updated_at=now, updated_by=reviewer)
        )
    else:
        conn.execute(
            insert(t).values(
                event_id=event_id, status=new.status, fields=new.fields, updated_at=now, updated_by=reviewer
            )
        )
    before_vals = {"review_status": prior.status, **{k: current.get(k) for k in touched}}
    after_vals = {"review_status": new.status, **{k: after.get(k) for k in touched}}
    res = conn.execute(
        insert(AuditRow.__table__)
        .values(
            event_id=event_id,
            reviewer=reviewer,
            at=now,
            action=action,
            fields=touched,
            before=before_vals,
            after=after_vals,
            restore=restore,
            note=note,
        )
        .returning(AuditRow.__table__.c.id)
    )
    return int(res.scalar_one())
