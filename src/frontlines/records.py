"""The record types that flow through frontlines: documents in, events and claims out.

Field names follow ../shared/CONTRACT.md (ACLED's names for events). Records are plain
dataclasses so extraction stays cheap; `to_dict()` gives the JSON Lines form.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any, Literal

Certainty = Literal["reported", "claimed", "disputed"]


def normalise_text(text: str) -> str:
    """The form a document's identity is computed from: NFC, whitespace collapsed, case kept."""
    # str.split() with no argument splits on exactly the characters `\s` matches, and is ~5x faster.
    return " ".join(unicodedata.normalize("NFC", text).split())


def content_hash(text: str) -> str:
    return hashlib.sha256(normalise_text(text).encode("utf-8")).hexdigest()


@dataclass(slots=True)
class Document:
    """One report. `id` is the contract's doc_id: the jsonl `id`, else the path as given."""

    id: str
    text: str
    published: date | None = None
    title: str | None = None
    source: str | None = None
    url: str | None = None
    byline: str | None = None
    origin: str | None = None  # where it came from: path, path:line, feed URL
    fmt: str | None = None  # text | markdown | html | jsonl | feed

    @property
    def hash(self) -> str:
        return content_hash(self.text)


@dataclass(slots=True)
class Evidence:
    """A character span of a document's text; `text == doc.text[start:end]` always."""

    doc_id: str
    start: int
    end: int
    text: str
    # Which record fields this span supports (an extension of the contract's four keys).
    fields: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, doc: Document, start: int, end: int, fields: list[str] | None = None) -> Evidence:
        return cls(doc.id, start, end, doc.text[start:end], list(fields or []))


@dataclass(slots=True)
class Event:
    """One ACLED-style event: one actor pair, one day (or window), one place."""

    doc_id: str
    event_id: str = ""
    event_date: str | None = None
    date_earliest: str | None = None
    date_latest: str | None = None
    time_precision: int | None = None
    disorder_type: str | None = None
    event_type: str | None = None
    sub_event_type: str | None = None
    actor1: str | None = None
    assoc_actor_1: str | None = None
    inter1: str | None = None
    actor2: str | None = None
    assoc_actor_2: str | None = None
    inter2: str | None = None
    interaction: str | None = None
    civilian_targeting: str | None = None
    country: str | None = None
    iso3: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    admin3: str | None = None
    location: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    geo_precision: int | None = None
    fatalities: int = 0
    fatalities_low: int | None = None
    fatalities_high: int | None = None
    attribution: str | None = None
    certainty: Certainty = "reported"
    confidence: float = 0.5
    notes: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    kind: Literal["event"] = "event"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(slots=True)
class Claim:
    """An aggregate statement: a control share, a count, a casualty total, revenue."""

    doc_id: str
    claim_id: str = ""
    claimant: str | None = None
    subject: str | None = None
    metric: str | None = None
    value: float | None = None
    low: float | None = None
    high: float | None = None
    unit: str | None = None
    of: float | None = None
    qualifier: str | None = None
    period_start: str | None = None
    period_end: str | None = None
    as_of: str | None = None
    categories: dict[str, int] | None = None
    certainty: Certainty = "claimed"
    confidence: float = 0.5
    evidence: list[Evidence] = field(default_factory=list)
    kind: Literal["claim"] = "claim"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


Record = Event | Claim


def stable_id(*parts: object, prefix: str = "") -> str:
    """A short deterministic id from the parts that identify a record."""
    h = hashlib.sha1("\x1f".join("" if p is None else str(p) for p in parts).encode("utf-8")).hexdigest()
    return f"{prefix}{h[:16]}"
