"""ACLED's vocabulary: event taxonomy in precedence order, actor categories, export columns.

Kept as data in one place so every component and the exports spell things exactly as ACLED does.
"""

from __future__ import annotations

# (event_type, [sub_event_types]) in ACLED's precedence order: when types co-occur the earlier wins.
TAXONOMY: list[tuple[str, list[str]]] = [
    ("Battles", ["Government regains territory", "Non-state actor overtakes territory", "Armed clash"]),
    ("Protests", ["Excessive force against protesters", "Protest with intervention", "Peaceful protest"]),
    ("Riots", ["Violent demonstration", "Mob violence"]),
    (
        "Explosions/Remote violence",
        [
            "Chemical weapon",
            "Air/drone strike",
            "Suicide bomb",
            "Shelling/artillery/missile attack",
            "Remote explosive/landmine/IED",
            "Grenade",
        ],
    ),
    ("Violence against civilians", ["Sexual violence", "Attack", "Abduction/forced disappearance"]),
    (
        "Strategic developments",
        [
            "Agreement",
            "Arrests",
            "Change to group/activity",
            "Disrupted weapons use",
            "Headquarters or base established",
            "Looting/property destruction",
            "Non-violent transfer of territory",
            "Other",
        ],
    ),
]

EVENT_TYPES: list[str] = [t for t, _ in TAXONOMY]
SUB_EVENT_TYPES: list[str] = [s for _, subs in TAXONOMY for s in subs]
EVENT_TYPE_OF: dict[str, str] = {s: t for t, subs in TAXONOMY for s in subs}
# Lower rank = higher precedence.
PRECEDENCE: dict[str, int] = {s: i for i, s in enumerate(SUB_EVENT_TYPES)}

assert len(EVENT_TYPES) == 6 and len(SUB_EVENT_TYPES) == 25


def disorder_type(sub_event_type: str) -> str:
    """ACLED's disorder type for a sub-event type."""
    event_type = EVENT_TYPE_OF[sub_event_type]
    if event_type == "Strategic developments":
        return "Strategic developments"
    if event_type == "Protests":
        # Protests are demonstrations; excessive force against them is also political violence.
        if sub_event_type == "Excessive force against protesters":
            return "Political violence; Demonstrations"
        return "Demonstrations"
    if event_type == "Riots":
        return "Political violence" if sub_event_type == "Mob violence" else "Demonstrations"
    return "Political violence"


def higher_precedence(a: str, b: str) -> str:
    """Of two sub-event types, the one ACLED codes when both occur."""
    return a if PRECEDENCE[a] <= PRECEDENCE[b] else b


INTER_CATEGORIES: list[str] = [
    "State forces",
    "Rebel group",
    "Political militia",
    "Identity militia",
    "Rioters",
    "Protesters",
    "Civilians",
    "External/Other forces",
]


def interaction(inter1: str | None, inter2: str | None) -> str | None:
    """ACLED's interaction text: the pair in category order, or "X only" for one-sided events."""
    if not inter1 and not inter2:
        return None
    if not inter1 or not inter2:
        return f"{inter1 or inter2} only"
    a, b = sorted([inter1, inter2], key=INTER_CATEGORIES.index)
    return f"{a}-{b}"


# ACLED's vague-quantity table for fatalities (lower-case keys).
VAGUE_FATALITIES: dict[str, int] = {
    "a few": 3,
    "few": 3,
    "several": 3,
    "some": 3,
    "a number of": 3,
    "many": 10,
    "scores": 20,
    "tens": 10,
    "dozens": 12,
    "a dozen": 12,
    "hundreds": 100,
    "thousands": 1000,
}

EXPORT_COLUMNS: list[str] = [
    "event_id_cnty",
    "event_date",
    "year",
    "time_precision",
    "disorder_type",
    "event_type",
    "sub_event_type",
    "actor1",
    "assoc_actor_1",
    "inter1",
    "actor2",
    "assoc_actor_2",
    "inter2",
    "interaction",
    "civilian_targeting",
    "iso",
    "region",
    "country",
    "admin1",
    "admin2",
    "admin3",
    "location",
    "latitude",
    "longitude",
    "geo_precision",
    "source",
    "source_scale",
    "notes",
    "fatalities",
    "tags",
    "timestamp",
]
