"""How each dev set's gold vocabulary maps onto ACLED's.

Kept together so the choices are reviewable in one place; every mapping here is a judgement, and the
report of an evaluation run names it.
"""

from __future__ import annotations

# ACLED's numeric actor categories (as in ACLED's CSV exports) -> the text categories frontlines codes.
ACLED_INTER_CODES: dict[str, str | None] = {
    "0": None,
    "1": "State forces",
    "2": "Rebel group",
    "3": "Political militia",
    "4": "Identity militia",
    "5": "Rioters",
    "6": "Protesters",
    "7": "Civilians",
    "8": "External/Other forces",
}

# CASE 2021 task 2 labels -> ACLED sub-event types. The five labels not listed here
# (ORG_CRIME, NATURAL_DISASTER, MAN_MADE_DISASTER, DIPLO, ATTRIB) are "no ACLED event".
CASE_LABELS: dict[str, str] = {
    "GOV_REGAINS_TERIT": "Government regains territory",
    "NON_STATE_ACTOR_OVERTAKES_TER": "Non-state actor overtakes territory",
    "ARMED_CLASH": "Armed clash",
    "FORCE_AGAINST_PROTEST": "Excessive force against protesters",
    "PROTEST_WITH_INTER": "Protest with intervention",
    "PEACE_PROTEST": "Peaceful protest",
    "VIOL_DEMONSTR": "Violent demonstration",
    "MOB_VIOL": "Mob violence",
    "CHEM_WEAP": "Chemical weapon",
    "AIR_STRIKE": "Air/drone strike",
    "SUIC_BOMB": "Suicide bomb",
    "ART_MISS_ATTACK": "Shelling/artillery/missile attack",
    "REM_EXPLOS": "Remote explosive/landmine/IED",
    "GRENADE": "Grenade",
    "SEX_VIOL": "Sexual violence",
    "ATTACK": "Attack",
    "ABDUCT_DISSAP": "Abduction/forced disappearance",
    "AGREEMENT": "Agreement",
    "ARREST": "Arrests",
    "CHANGE_TO_GROUP_ACT": "Change to group/activity",
    "DISR_WEAP": "Disrupted weapons use",
    "HQ_ESTABLISHED": "Headquarters or base established",
    "PROPERTY_DISTRUCT": "Looting/property destruction",
    "NON_VIOL_TERRIT_TRANSFER": "Non-violent transfer of territory",
    "OTHER": "Other",
}
CASE_NON_ACLED: frozenset[str] = frozenset(
    {"ORG_CRIME", "NATURAL_DISASTER", "MAN_MADE_DISASTER", "DIPLO", "ATTRIB"}
)

# GTD attack types -> ACLED event types. GTD codes terrorism, so an armed assault or an assassination
# is a battle when its target is armed (military, police) and violence against civilians otherwise;
# "Unknown" is left unscored. A bombing stays remote violence whatever the target.
GTD_ARMED_TARGETS: frozenset[str] = frozenset({"Military", "Police", "Terrorists/Non-State Militia"})
GTD_ATTACK_TYPES: dict[str, tuple[str | None, str | None]] = {
    # attack type: (event type when the target is armed, event type otherwise)
    "Bombing/Explosion": ("Explosions/Remote violence", "Explosions/Remote violence"),
    "Armed Assault": ("Battles", "Violence against civilians"),
    "Assassination": ("Battles", "Violence against civilians"),
    "Hostage Taking (Kidnapping)": ("Violence against civilians", "Violence against civilians"),
    "Hostage Taking (Barricade Incident)": ("Violence against civilians", "Violence against civilians"),
    "Hijacking": ("Violence against civilians", "Violence against civilians"),
    "Unarmed Assault": ("Violence against civilians", "Violence against civilians"),
    "Facility/Infrastructure Attack": ("Strategic developments", "Strategic developments"),
    "Unknown": (None, None),
}

# ISAF press-release event codes -> ACLED event types (the release's first code).
ISAF_EVENT_TYPES: dict[str, str] = {
    "detention": "Strategic developments",
    "insurgentskilled": "Battles",
    "captureandkill": "Battles",
    "airstrike": "Explosions/Remote violence",
    "civiliancasualty": "Violence against civilians",
}
