"""Place mentions: resolve GPE/LOC/FAC entities to gazetteer entries, pick the event's place.

Disambiguation order (ACLED coders do the same): an explicit province in the sentence
("Arghandab district of Kandahar province"), then the article's dominant province, then its
country, then size. Unresolvable names are kept with `place=None`, never raised.
"""

from __future__ import annotations

import calendar
import csv
import re
from collections import Counter
from functools import lru_cache
from importlib import resources

from spacy.tokens import Doc, Span, Token

from frontlines.extract.actors import get_resolver
from frontlines.extract.mentions import Place, PlaceMention, SentenceContext
from frontlines.geo.gazetteer import Gazetteer, fold, get_gazetteer, name_key, split_kind_suffix
from frontlines.nlp import char_span, doc_text, english_words, ents_in, span_text, token_table

PLACE_LABELS = {"GPE", "LOC", "FAC"}
_SUFFIX_WORDS = {
    "province",
    "district",
    "city",
    "town",
    "village",
    "governorate",
    "state",
    "county",
    "region",
}
# Words linking a place to the larger unit it lies in: "X district of Y", "X, in Y province".
_LINK_WORDS = {"of", "in", ",", "'s", "’s", "district", "city", "town", "village", "the", "area", "areas"}
# A place modifying one of these nouns names where a person works, not where something happened.
_SPEAKER_NOUNS = {
    "spokesman", "spokeswoman", "spokesperson", "governor", "official", "officials", "chief", "commander",
    "council", "ministry", "minister", "office", "police", "head", "member", "mp", "lawmaker", "director",
    "administration", "government", "authorities", "representative", "source", "sources", "resident",
    "residents", "elder", "elders", "journalist", "reporter", "correspondent", "agency", "embassy",
    "ambassador", "envoy", "president", "premier", "mayor", "diplomat", "diplomats", "delegation",
}  # fmt: skip
# Nouns after which "of" names the place itself ("the Baghdad neighbourhood of Al-Bayaa").
_CONTAINER_NOUNS = {*_SUFFIX_WORDS, "neighbourhood", "neighborhood", "suburb", "quarter", "area", "districts",
                    "countryside", "outskirts", "municipality", "commune", "port", "capital"}  # fmt: skip
_EVENT_PREPS = {"in", "at", "near", "of", "outside", "on", "into", "across", "around", "inside", "to", "over"}
_KIND_SPECIFICITY = {
    "police_district": 6.0,
    "crossing": 5.0,
    "base": 5.0,
    "city": 4.0,
    "admin2": 4.0,
    "feature": 3.0,
    "admin1": 2.0,
    "country": 0.0,
}
_PD_RE = re.compile(
    r"\b(?:(?P<n1>\d{1,2})(?:st|nd|rd|th)?\s+police\s+district|police\s+district\s+(?:no\.?\s*|number\s+)?(?P<n2>\d{1,2})"
    r"|PD\s?-?(?P<n3>\d{1,2}))\b",
    re.IGNORECASE,
)
_DATELINE_RE = re.compile(r"^\s*(?P<place>[A-Z][A-Z.'’ -]{2,40}?)\s*(?:,|\(|—|–|--| - )")


@lru_cache(maxsize=1)
def _near_cues() -> tuple[tuple[str, ...], ...]:
    """Cue phrases (as lower-case word tuples, longest first) that put an event near a place."""
    path = resources.files("frontlines.data").joinpath("places_cues.csv")
    with path.open(encoding="utf-8") as f:
        cues = [tuple(r["cue"].lower().split()) for r in csv.DictReader(f) if r["kind"] == "near"]
    return tuple(sorted(cues, key=len, reverse=True))


def _is_near(doc: Doc, start: int) -> bool:
    """Whether the words right before token `start` (skipping "the", "a") are a 'near' cue."""
    i = start
    while i > 0 and doc[i - 1].lower_ in ("the", "a", "an"):
        i -= 1
    words = [t.lower_ for t in doc[max(0, i - 4) : i]]
    for cue in _near_cues():
        if len(cue) <= len(words) and tuple(words[-len(cue) :]) == cue:
            return True
    return False


# Transliterated Arabic articles start real place names in lower case ("al-Tijara").
_LOWER_PREFIXES = (
    "al",
    "el",
    "ad",
    "ar",
    "as",
    "ash",
    "at",
    "az",
    "an",
    "ed",
    "en",
    "es",
    "ez",
    "ibn",
    "bin",
)


_CURRENCY_WORDS = {"dollar", "dollars", "pound", "pounds", "lira", "euro", "euros", "rial", "riyal", "dinar",
                   "dinars", "ruble", "rouble", "rupee", "rupees", "peso", "pesos", "yuan", "franc", "shilling",
                   "naira", "hryvnia", "lari", "manat", "afghani", "afghanis", "reais"}  # fmt: skip


def _ents(span: Span | Doc) -> list[Span]:
    """Place entities, less generic phrases the NER tags ("southern province", "the region")."""
    out = []
    for e in ents_in(span):
        if e.label_ not in PLACE_LABELS:
            continue
        first = e[0] if e[0].lower_ != "the" or len(e) == 1 else e[1]
        if first.is_lower and first.text.split("-")[0] not in _LOWER_PREFIXES:
            continue
        if e.end < len(e.doc) and e.doc[e.end].lower_ in _CURRENCY_WORDS:
            continue  # "the US dollar exchange rate": a currency, not a place
        cut = next((t.i for t in e[1:] if t.text in (",", "(")), e.end)
        if cut != e.end:  # "Balet Weyne, Hiraan" tagged as one entity: the name, then its chain
            e = e.doc[e.start : cut]
        joined = _join_hyphens(e)
        if joined is not e and joined.start < e.start:
            # Extended leftwards ("Mayo-Sava"): only when the longer name is known, else "Ar-Raqqa"
            # loses the "Raqqa" the gazetteer has.
            gaz = get_gazetteer()
            if not _exact(gaz, split_kind_suffix(joined.text)[0]) and _exact(gaz, e.text):
                joined = _join_hyphens(e, left=False)
        out.append(_extend_known(joined))
    # "Ciudad de" + "Mexico": two entities the NER and the ruler split, one name the gazetteer knows.
    merged: list[Span] = []
    for e in out:
        prev = merged[-1] if merged else None
        if (
            prev is not None
            and e.start - prev.end <= 1
            and all(t.is_lower for t in e.doc[prev.end : e.start])
        ):
            whole = e.doc[prev.start : e.end]
            if _exact(get_gazetteer(), whole.text):
                merged[-1] = whole
                continue
        if prev is not None and e.start < prev.end:
            continue
        merged.append(e)
    return merged


# Particles inside place names ("Ciudad de Mexico", "Sao Sebastiao da Boa Vista").
_NAME_PARTICLES = {"de", "del", "da", "do", "dos", "das", "la", "el", "al", "des", "du", "di", "y"}


def _extend_known(ent: Span) -> Span:
    """ "Mali Zvornik", "Ciudad de Mexico": the ruler tags the country or a known word inside a longer
    place name; the longest following run of proper nouns (and name particles) that the gazetteer
    knows by that exact name wins."""
    doc = ent.doc
    j, best = ent.end, ent
    while j < len(doc) and j - ent.end < 4:
        t = doc[j]
        if not (t.text[:1].isupper() and t.pos_ == "PROPN") and t.lower_ not in _NAME_PARTICLES:
            break
        j += 1
        if t.text[:1].isupper() and (t.ent_type_ in ("", "GPE", "LOC", "FAC")):
            cand = doc[ent.start : j]
            if _exact(get_gazetteer(), cand.text):
                best = cand
    return best


def _exact(gaz: Gazetteer, name: str) -> bool:
    """Whether the gazetteer has `name` itself (or an alternate name), not only a spelling variant."""
    return any(t < 2 for _i, t in gaz.candidates(name))


def _join_hyphens(ent: Span, *, left: bool = True) -> Span:
    """ "Qala-e-Wahid", "Mayo-Sava": the tokenizer splits at hyphens and the NER or the place ruler
    may tag only one part ("Qala", "Sava")."""
    doc, start, end = ent.doc, ent.start, ent.end
    while (
        end + 1 < len(doc)
        and doc[end].text == "-"
        and not doc[end - 1].whitespace_
        and not doc[end].whitespace_
        and doc[end + 1].is_alpha
    ):
        end += 2
    while (
        left
        and start >= 2
        and doc[start - 1].text == "-"
        and not doc[start - 1].whitespace_
        and not doc[start - 2].whitespace_
        and doc[start - 2].is_alpha
        and doc[start - 2].text[:1].isupper()
    ):
        start -= 2
    return doc[start:end] if (start, end) != (ent.start, ent.end) else ent


def _container_of_next(doc: Doc, m: PlaceMention, others: list[PlaceMention]) -> bool:
    """ "the West Bank city of Nablus": the first place only says where the second one is."""
    sp = char_span(doc, m.start, m.end)
    if sp is None:
        return False
    i = sp.end
    if i < len(doc) and doc[i].lower_ in _CONTAINER_NOUNS:
        i += 1
    if i + 1 < len(doc) and doc[i].lower_ == "of":
        nxt = doc[i + 1 : i + 3]
        return any(o is not m and nxt.start_char <= o.start < nxt.end_char + 1 for o in others)
    return False


def _with_suffix(ent: Span) -> tuple[Span, str | None]:
    """Extend "Arghandab" to "Arghandab district" when the next word says the kind."""
    doc = ent.doc
    if ent.end < len(doc) and doc[ent.end].lower_ in _SUFFIX_WORDS:
        ext = doc[ent.start : ent.end + 1]
        return ext, split_kind_suffix(ext.text)[1]
    return ent, split_kind_suffix(ent.text)[1]


def clean_name(text: str) -> str:
    """A mention's name without a leading "the" or a trailing possessive."""
    return _clean(text)


def _clean(text: str) -> str:
    text = re.sub(r"^(?:the)\s+", "", text.strip(), flags=re.IGNORECASE)
    return re.sub(r"(?:'s|’s)$", "", text).strip()


def _explicit_admin1(ents: list[Span], k: int, gaz: Gazetteer, iso3: str | None) -> str | None:
    """The province a place is said to lie in: the next place entity within a few linking words."""
    ent = ents[k]
    doc = ent.doc
    for nxt in ents[k + 1 : k + 2]:
        gap = doc[ent.end : nxt.start]
        if len(gap) > 5 or any(t.lower_ not in _LINK_WORDS for t in gap):
            return None
        ext, hint = _with_suffix(nxt)
        if hint not in (None, "admin1"):
            return None
        found = gaz.lookup(_clean(ext.text), iso3=iso3, kinds={"admin1"}, limit=1)
        if found and (iso3 is None or found[0].iso3 == iso3 or hint == "admin1"):
            return found[0].admin1
    return None


# Tokens between a place and the unit enclosing it: "Sayad area, Mahmud Raqi, Kapisa", "Shamli (UP)".
_CHAIN_LINKS = {",", "(", "in", "of", "the", "area", "areas", "village", "town", "city", "neighborhood",
                "neighbourhood", "locality", "-", "–", "district", "'s", "’s", "municipality", "county",
                "commune", "department", "sub-district", "subdistrict", "governorate", "province", "region",
                "state", "rural", "countryside", "outskirts", "northern", "southern", "eastern", "western",
                "central", "north", "south", "east", "west", "camp", "street", "road", "subdivision",
                "sub-prefecture", "prefecture", "arrondissement", "lga", "sub-county", "subcounty", "parish",
                "sector", "tehsil", "taluka", "upazila", "raion", "rayon", "oblast", "hromada", "woreda",
                "zone", "circle", "block", "mandal", "quarter", "suburb"}  # fmt: skip
_REGION_KINDS = {"admin1", "admin2"}
_DIRECTIONS = {"northern", "southern", "eastern", "western", "central", "north", "south", "east", "west"}


def _is_link(tok: Token) -> bool:
    """A chain link, but a capitalised direction starts a name ("North Sinai", "Central Equatoria")."""
    return tok.lower_ in _CHAIN_LINKS and not (tok.lower_ in _DIRECTIONS and tok.text[:1].isupper())


_CALENDAR_WORDS = {w.lower() for w in (*calendar.month_name, *calendar.month_abbr, *calendar.day_name) if w}


def _date_word(tok: Token) -> bool:
    """A token of a date the NER found ("Kabul, March 17"); a place name it tagged DATE by mistake
    ("in Haftanin region of Dahuk") is none."""
    return tok.ent_type_ == "DATE" and (tok.like_num or tok.lower_.rstrip(".") in _CALENDAR_WORDS)


def _unit_after(doc: Doc, i: int, stop: int, gaz: Gazetteer, iso3: str | None) -> tuple[Place | None, int]:
    """The admin unit named by the capitalised words starting at token `i` ("Kapisa", "UP",
    "Amambay department"), and the token after it."""
    j = _name_end(doc, i, stop)
    if j == i:
        return None, i
    end = j + 1 if j < len(doc) and doc[j].lower_ in _SUFFIX_WORDS else j
    text = _clean(doc[i:end].text)
    base, hint = split_kind_suffix(text)
    if hint not in (None, "admin1", "admin2"):
        return None, i
    kinds = {hint} if hint else _REGION_KINDS
    ranked = gaz.ranked(text, iso3=iso3, kinds=kinds)
    if not ranked:
        return None, i
    place = gaz.place(ranked[0][0])
    if iso3 and place.iso3 != iso3 and not hint:
        # Another country's unit: believed only for a province-level name of some length that is
        # nothing at home ("Amambay" in a report placed in Brazil), never for a district or a short word.
        if (
            place.kind != "admin1"
            or len(base) < 5
            or _known_at_home(gaz, text, iso3)
            or len({gaz.place(k).iso3 for k, t in gaz.candidates(base, {"admin1"}) if t < 2}) != 1
        ):
            return None, i
    return place, end


def _enclosing_unit(ent: Span, gaz: Gazetteer, iso3: str | None) -> Place | None:
    """The admin unit a place is said to lie in, named right after it in a comma or parenthesis
    chain: "Sayad area, Mahmud Raqi, Kapisa" (the province, the largest named unit, wins the country
    and admin1; a district too small to be found is skipped), "Jalalpur, Shamli (UP)".

    A list of places at one level ("Kabul, Kandahar and Herat") is no chain: a unit followed by "and"
    or "or" is a list item.
    """
    units = _chain_units(ent, gaz, iso3)
    return units[0] if units else None


def _segments(doc: Doc, i: int, stop: int) -> tuple[list[tuple[int, int]], int | None]:
    """The capitalised name groups of a chain starting at token `i` (token ranges, suffix word
    included), and the token of a country name that closes it. A parenthesis opened at the start
    closes the chain: "Sirwah (Marib), Nihm (Sanaa)" is two places, not one chain."""
    segs: list[tuple[int, int]] = []
    paren = i < len(doc) and doc[i].text == "("
    while i < stop:
        t = doc[i]
        if t.text == ")" and paren:
            break
        if _is_link(t) or t.text == ")":
            i += 1
            continue
        if t.is_punct or not t.text[:1].isupper() or t.ent_type_ == "DATE":
            break
        if _is_country_token(t):
            return segs, i
        j = _name_end(doc, i, stop)
        end = j + 1 if j < len(doc) and doc[j].lower_ in _SUFFIX_WORDS else j
        segs.append((i, end))
        i = end
    return segs, None


# Lower-case particles inside a name: "Mato Grosso do Sul", "Lanao del Sur", "Rio de Janeiro".
_NAME_PARTICLES = frozenset("do da dos das de del della di du des la el al".split())


def _name_end(doc: Doc, i: int, stop: int) -> int:
    """The token after the capitalised name starting at `i`: up to four capitalised words, with hyphens
    and lower-case particles between them."""
    j, words = i, 0
    while j < stop and words < 4:
        text = doc[j].text
        if text[:1].isupper():
            words += 1
        elif not (
            j > i
            and (
                text == "-"
                or (
                    text in _NAME_PARTICLES
                    and j + 1 < stop
                    and doc[j + 1].text[:1].isupper()
                    and doc[j - 1].text[:1].isupper()
                )
            )
        ):
            break
        j += 1
    return j


def _glued_after_hyphen(doc: Doc, i: int) -> bool:
    return i >= 2 and doc[i - 1].text == "-" and not doc[i - 1].whitespace_ and not doc[i - 2].whitespace_


def _is_country_token(tok: Token) -> bool:
    if tok.ent_type_ not in ("GPE", ""):
        return False
    found = get_gazetteer().lookup(tok.text, kinds={"country"}, limit=1)
    return bool(found) and name_key(found[0].name) == name_key(tok.text)


def _chain_country(
    doc: Doc, i: int, stop: int, gaz: Gazetteer, iso3: str | None, name: str = ""
) -> str | None:
    """The country a chain of enclosing units names: a closing country name ("Mali Zvornik, Serbia"),
    else the country of its last, largest unit when that is a province found only abroad
    ("Rafah (Rafah, North Sinai)" in a report that reads as Palestinian; "Al Hishah (Misrata)" in one
    that names no country, where a spelling variant of a province name is enough)."""
    segs, closing = _segments(doc, i, stop)
    if closing is not None:
        found = gaz.lookup(doc[closing].text, kinds={"country"}, limit=1)
        return found[0].iso3 if found else iso3
    if not segs:
        return iso3
    text = _clean(doc[slice(*segs[-1])].text)
    base, hint = split_kind_suffix(text)
    if hint not in (None, "admin1") or len(base) < 4:
        return iso3
    if iso3 is not None and _known_at_home(gaz, text, iso3):
        return iso3
    # Another country only when the name is a province of exactly one country ("North Sinai", not
    # "Central" or "Northern"); without a country, a spelling variant may say so ("Misrata").
    countries = {gaz.place(i).iso3 for i, tier in gaz.candidates(base, {"admin1"}) if tier < 2}
    if not countries and iso3 is None:
        # Only close variants: the consonant skeleton alone also joins "Hiraan" to "Haryana".
        countries = {
            p.iso3
            for i, tier in gaz.candidates(base, {"admin1"})
            if tier == 2 and _close(name_key(base), name_key((p := gaz.place(i)).name))
        }
    if len(countries) == 1 and len(base) >= 5:
        return countries.pop()
    if iso3 is None and len(countries) > 1 and name:
        # "Tamale (Tamale, Northern)": the country where the place lies in a province of that name.
        units = {name_key(gaz.place(i).name) for i, t in gaz.candidates(base, {"admin1"}) if t < 2}
        inside = {
            p.iso3
            for k, _s in gaz.ranked(name, variants=False)[:10]
            if (p := gaz.place(k)).iso3 in countries and name_key(p.admin1 or "") in units
        }
        if len(inside) == 1:
            return inside.pop()
    return iso3


def _close(a: str, b: str) -> bool:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, b).ratio() >= 0.8


def _known_at_home(gaz: Gazetteer, text: str, iso3: str) -> bool:
    """Whether `text` names anything in country `iso3` (exact names only)."""
    return any(gaz.place(i).iso3 == iso3 for i, _s in gaz.ranked(text, iso3=iso3, variants=False)[:3])


def _chain_units(ent: Span, gaz: Gazetteer, iso3: str | None) -> list[Place]:
    """The units of `_enclosing_unit`'s chain, most specific first (a district, then its province).
    Kept on the Doc: the place readers ask about the same names several times."""
    memo = ent.doc.user_data.setdefault("frontlines_chain_units", {})
    key = (ent.start, ent.end, iso3)
    if key not in memo:
        memo[key] = tuple(_read_chain_units(ent, gaz, iso3))
    return list(memo[key])


def _read_chain_units(ent: Span, gaz: Gazetteer, iso3: str | None) -> list[Place]:
    doc = ent.doc
    stop = min(len(doc), ent.end + 14)
    if ent.end < len(doc) and doc[ent.end].text in (",", "("):
        iso3 = _chain_country(doc, ent.end, stop, gaz, iso3, _clean(split_kind_suffix(ent.text)[0]))
    i, found, end = ent.end, None, ent.end
    chain: list[Place] = []
    while i < stop:
        if _is_link(doc[i]) or doc[i].text in (")",):
            i += 1
            continue
        if doc[i].is_punct or not doc[i].text[:1].isupper() or _date_word(doc[i]):
            break
        if _glued_after_hyphen(doc, i):
            i += 1  # the second half of "Kasai-Oriental" is no name of its own
            continue
        if gaz.lookup(doc[i].text, kinds={"country"}, limit=1) and doc[i].ent_type_ in ("GPE", ""):
            country = gaz.lookup(doc[i].text, kinds={"country"}, limit=1)[0]
            if name_key(country.name) == name_key(doc[i].text) or country.iso3 == iso3:
                break  # a country closes the chain ("Kabul, Afghanistan (March 17)")
        unit, nxt = _unit_after(doc, i, stop, gaz, iso3)
        if unit is None:
            # An unknown capitalised name inside the chain (a sub-district): pass over it.
            while i < stop and doc[i].text[:1].isupper():
                i += 1
            continue
        if found is not None and unit.kind == "admin2" and found.kind == "admin1":
            break  # the chain goes down again: another place
        found, end, i = unit, nxt, nxt
        chain.append(unit)
        if unit.kind == "admin1":
            break
    if found is None:
        return []
    k = end
    while k < len(doc) and doc[k].text in (")", "province", "state"):
        k += 1
    if k < len(doc) and doc[k].lower_ in ("and", "or", "&"):
        return []
    if k + 1 < len(doc) and doc[k].text == "," and doc[k + 1].lower_ in ("and", "or"):
        return []
    # The largest unit sets the country and province; smaller ones count only when inside it.
    top = chain[-1]
    units = [u for u in chain[:-1] if u.kind == "admin2" and _within(u, top)]
    return [*units[::-1], top]


def _within(place: Place, unit: Place) -> bool:
    if place.iso3 != unit.iso3 or name_key(place.admin1 or "") != name_key(unit.admin1 or ""):
        return False
    return unit.kind != "admin2" or name_key(place.admin2 or "") == name_key(unit.admin2 or "")


def _place_in_chain(
    span: Span, text: str, hint: str | None, place: Place | None, gaz: Gazetteer, iso3: str | None
) -> tuple[Place | None, str | None, bool]:
    """(place, admin1 of the chain, fell back) for a name followed by a chain of enclosing units.

    The entry inside the chain's units wins; a name not found there (a village the gazetteer lacks)
    is coded to the most specific unit of the chain. Without a chain, (place, None, False).
    """
    units = _chain_units(span, gaz, iso3)
    if not units:
        return place, None, False
    unit = units[0]
    if place is not None and (place.code == unit.code or (place.kind == unit.kind == "admin1")):
        return place, None, False  # the name is itself the unit, or a list of provinces
    for u in _with_namesakes(gaz, units):
        if (inside := _resolve_in(gaz, text, hint, u)) is not None:
            return inside, u.admin1, False
    if place is not None and place.iso3 != unit.iso3 and name_key(place.name) == name_key(unit.name):
        return place, None, False  # "Athens-Central Athens": the city named again, not a namesake unit abroad
    # A comma or parenthesis chain is strong evidence; "X in Y" less so (units overlap).
    strong = _chain_opens(span.doc, span.end)
    if place is not None and (_within(place, units[-1]) or (not strong and _known_town(place, unit))):
        return place, unit.admin1, False
    if strong and unit.iso3 != iso3 and _big_city_abroad(place, unit) and _common_name(gaz, unit):
        return place, None, False  # "Panama City (Bella Vista)": a namesake unit abroad holds no city
    return unit, unit.admin1, True


def _with_namesakes(gaz: Gazetteer, units: list[Place]) -> list[Place]:
    """The chain's units, each followed by the other units that share its bare name: "Ivankiv, Kyiv"
    lies in Kyiv Oblast, though "Kyiv" alone is first Kyiv City; "Calamba, Laguna" is the Philippine
    province, though Brazil's Laguna ranks first. The name inside decides between them."""
    out: list[Place] = []
    for u in units:
        out.append(u)
        base = name_key(split_kind_suffix(u.name)[0])
        if u.kind == "admin1":
            out += [
                p
                for p in gaz.admin1_of(u.iso3)
                if p.code != u.code and name_key(split_kind_suffix(p.name)[0]) == base
            ]
        out += [
            p
            for i, _s in gaz.ranked(u.name, kinds={u.kind}, variants=False)[:8]
            if (p := gaz.place(i)).code != u.code and name_key(p.name) == base and p not in out
        ]
    return out


# Generic nouns between a name and the chain that encloses it ("Shahpur sector area (Poonch ...)").
_AREA_NOUNS = {"sector", "area", "areas"}


def _big_city_abroad(place: Place | None, unit: Place) -> bool:
    return place is not None and place.iso3 != unit.iso3 and (place.population or 0) >= 100_000


def _common_name(gaz: Gazetteer, unit: Place) -> bool:
    """A unit's name that places in several countries bear ("Bella Vista", unlike "Negros Occidental")."""
    return len({gaz.place(i).iso3 for i, _s in gaz.ranked(unit.name, variants=False)[:8]}) > 1


def _chain_opens(doc: Doc, i: int) -> bool:
    """Whether a comma or parenthesis right after a name opens a chain of enclosing units: a proper
    noun the gazetteer lacks is taken for a village only then (not "Ahmed, Kandahar's governor")."""
    while i < len(doc) and doc[i].lower_ in _AREA_NOUNS:
        i += 1  # "Shahpur sector area (Poonch district, J&K)"
    return (
        i < len(doc)
        and doc[i].text in (",", "(")
        and not (i + 1 < len(doc) and doc[i + 1].lower_ in ("a", "an", "the", "who", "which"))
    )


def _stray_foreign(place: Place | None, iso3: str | None, label: str = "") -> bool:
    """A place abroad that is not where the event happened when the article's country is known: a
    small same-named village ("Nadas" in Romania for a Syrian report), a province whose name many
    countries use ("East", "Central"), or a facility the NER tagged ("the Metro") that matches a
    town abroad."""
    if place is None or iso3 is None or place.iso3 == iso3:
        return False
    if place.kind in ("city", "admin2") and ((place.population or 0) < 100_000 or label == "FAC"):
        return True
    if place.kind == "admin1":
        gaz = get_gazetteer()
        return len({gaz.place(i).iso3 for i, t in gaz.candidates(place.name, {"admin1"}) if t < 2}) > 1
    return False


def _known_town(place: Place, unit: Place) -> bool:
    """A town of some size in the unit's own country is believed over a chain that disagrees with it
    (units overlap: "Jericho, in the West Bank"); a hamlet is not."""
    return place.iso3 == unit.iso3 and place.kind == "city" and (place.population or 0) >= 10_000


def _resolve_in(gaz: Gazetteer, text: str, hint: str | None, unit: Place) -> Place | None:
    """The best entry for `text` inside `unit` (an admin1 or admin2), or None."""
    name = f"{text} {_hint_word(hint)}" if hint else text
    for i, _s in gaz.ranked(name, iso3=unit.iso3, admin1=unit.admin1)[:10]:
        p = gaz.place(i)
        if p.code != unit.code and _within(p, unit) and p.kind != "admin1":
            return p
    return None


def _resolve(
    gaz: Gazetteer, text: str, hint: str | None, iso3: str | None, admin1: str | None
) -> tuple[Place | None, int]:
    name = f"{text} {_hint_word(hint)}" if hint else text
    ranked = gaz.ranked(name, iso3=iso3, admin1=admin1)
    if not ranked:
        return None, 0
    return gaz.place(ranked[0][0]), len(ranked)


def _hint_word(hint: str | None) -> str:
    return {"admin1": "province", "admin2": "district", "city": "city"}.get(hint or "", "")


# Last words of facility names ("Donetsk Airport", "Kandahar Air Field").
_FACILITY_NOUNS = {"airport", "airbase", "airfield", "base", "station", "mine", "prison", "university", "hospital",
                   "bridge", "dam", "camp", "checkpoint", "port", "stadium", "square", "market", "bazaar"}  # fmt: skip


# First words naming a part of a place ("Central Beirut").
_PART_WORDS = {"central", "downtown", "north", "south", "east", "west", "northern", "southern", "eastern",
               "western", "northeastern", "northwestern", "southeastern", "southwestern"}  # fmt: skip


def find_places(span: Span | Doc, ctx: SentenceContext) -> list[PlaceMention]:
    """Place entities of a sentence (or doc), resolved with the article context; police districts too."""
    gaz = get_gazetteer()
    doc = span.doc if isinstance(span, Span) else span
    ents = _ents(span)
    out: list[PlaceMention] = []
    last_city: Place | None = None
    for k, ent in enumerate(ents):
        ext, hint = _with_suffix(ent)
        text = _clean(split_kind_suffix(ext.text)[0] if hint else ext.text)
        if not text:
            continue
        explicit = _explicit_admin1(ents, k, gaz, ctx.iso3)
        place, n = _resolve(gaz, text, hint, ctx.iso3, explicit or ctx.admin1)
        if (
            hint is None
            and place is not None
            and name_key(place.name) != name_key(text)
            and _nationality_word(text)
        ):
            continue  # "Ukrainian" tagged a place: a nationality word, not "Ukrainian Village"
        near = _is_near(doc, ext.start)
        if place is None and (city := _city_of_quarter(gaz, text, ctx, ext)) is not None:
            place, near = city, True
        place, chained, fell_back = _place_in_chain(ext, text, hint, place, gaz, ctx.iso3)
        if chained is not None:
            explicit = chained
            near = near or fell_back
        elif _stray_foreign(place, ctx.iso3, ent.label_):
            place = None
        if place is None and chained is None and len(ext) > 1 and ext[-1].lower_ in _FACILITY_NOUNS:
            # "Donetsk Airport", "Al Watiyah airbase": a named facility is coded to the place it is named after.
            place, n = _resolve(gaz, _clean(ext[:-1].text), None, ctx.iso3, explicit or ctx.admin1)
            if _stray_foreign(place, ctx.iso3) or (place is not None and place.kind == "country"):
                place = None
            near = near or place is not None
        if place is None and chained is None and len(ext) > 1 and ext[0].lower_ in _PART_WORDS:
            # "Central Beirut", "Northern Aleppo": a part of a place the gazetteer has is coded to it.
            place, n = _resolve(gaz, _clean(ext[1:].text), hint, ctx.iso3, explicit or ctx.admin1)
            if _stray_foreign(place, ctx.iso3) or (place is not None and place.kind == "country"):
                place = None
        if place is not None and hint is None and place.kind == "admin2" and explicit is None and ctx.admin1:
            # Bare district names: stay inside the article's province when one matches there.
            same = gaz.lookup(text, iso3=ctx.iso3, admin1=ctx.admin1, kinds={"admin2", "city"}, limit=1)
            if same and name_key(same[0].admin1 or "") == name_key(ctx.admin1):
                place = same[0]
        if place is not None and _namesake_of_a_quarter(doc, ext.end, place, explicit or ctx.admin1):
            continue  # "Santa Maria neighborhood" in a report on Aracaju: a part of that city
        if place is not None and place.kind == "city":
            last_city = place
        out.append(
            PlaceMention(
                start=ext.start_char,
                end=ext.end_char,
                text=ext.text,
                place=place,
                candidates=n,
                near=near,
            )
        )
    out.extend(_parenthesised_places(span, gaz, ctx.iso3))
    out.extend(_proper_noun_places(span, ctx, gaz))
    unknown: list[PlaceMention] = []
    out.extend(_misread_places(span, ctx, gaz, out, unknown))
    pds = _police_districts(span, ctx, gaz, last_city, out)
    if pds:  # the NER often tags "Seventh Police District" itself: keep the resolved one
        out = [m for m in out if not any(m.start < p.end and p.start < m.end for p in pds)]
    out.extend(pds)
    out = _with_bracket_chains(out, _bracket_chains(span, gaz, ctx.iso3))
    theatre = doc_theatre(doc)
    if theatre is not None:
        for m in out:
            there = _in_theatre(gaz, _clean(split_kind_suffix(m.text)[0]), m.place, theatre)
            if there is not None:
                m.place = there
            elif _hamlet_outside(m.place, theatre):
                # No namesake in the theatre the gazetteer has: the village near the contact line is
                # kept by name, not put at a hamlet of that name across the country.
                m.place = None
    out = _without_road_ends(doc, out)
    if unknown and not any(m.place is not None and m.place.kind != "country" for m in out):
        # A village the gazetteer lacks, named where nothing else is: the event is kept at its name.
        out.extend(unknown)
    out.sort(key=lambda m: m.start)
    return out


_QUARTER_WORDS = {"neighborhood", "neighbourhood", "suburb", "quarter", "borough"}


def _namesake_of_a_quarter(doc: Doc, end: int, place: Place, admin1: str | None) -> bool:
    """A name followed by "neighbourhood" (or suburb, quarter) is a part of the city the report is in:
    a town of that name in another province is a namesake, not the place."""
    return (
        end < len(doc)
        and doc[end].lower_ in _QUARTER_WORDS
        and admin1 is not None
        and place.kind != "admin1"
        and place.admin1 is not None
        and name_key(place.admin1) != name_key(admin1)
    )


def _parenthesised_places(span: Span | Doc, gaz: Gazetteer, iso3: str | None) -> list[PlaceMention]:
    """ "Pedro Juan Caballero (Amambay)": a name the NER calls a person or organisation, followed by
    a unit in parentheses, is a place when the gazetteer has it inside that unit."""
    doc = span.doc if isinstance(span, Span) else span
    out = []
    for ent in ents_in(span):
        if ent.label_ not in ("PERSON", "ORG", "NORP") or ent.end >= len(doc) or doc[ent.end].text != "(":
            continue
        units = _chain_units(ent, gaz, iso3)
        place = next(
            (p for u in units if (p := _resolve_in(gaz, _clean(ent.text), None, u)) is not None), None
        )
        if place is not None:
            out.append(
                PlaceMention(
                    start=ent.start_char,
                    end=ent.end_char,
                    text=ent.text,
                    place=place,
                    candidates=1,
                    near=_is_near(doc, ent.start),
                )
            )
    return out


# "Bambofa (Dori, Seno)", "Kagara (Rafi LGA, Niger)": a name and, in parentheses, the units it lies in,
# most specific first. Lower-case words allowed inside such a parenthesis; any other means it is no chain
# ("(as reported)", "(Kurdish name)").
_BRACKET_SMALL = {"al", "el", "as", "ash", "ad", "ar", "at", "az", "an", "de", "do", "da", "du", "des", "la",
                  "le", "wa", "e", "i", "of", "and", "-", "/", "'", "’"}  # fmt: skip
_BRACKET_UNIT_WORDS = {"lga", "district", "province", "state", "region", "governorate", "department",
                       "county", "municipality", "prefecture", "commune", "division", "oblast", "raion"}  # fmt: skip
_BRACKET_NAME_WORDS = {"area", "areas", "town", "village", "city", "district", "camp", "neighbourhood",
                       "neighborhood", "locality", "region", "settlement"}  # fmt: skip


def _capitalised(t: Token) -> bool:
    """A name's word: "Dori", "LGA", also "eThekwini"."""
    return t.text[:1].isupper() or (t.text[:1].islower() and any(c.isupper() for c in t.text[1:3]))


def _bracket_segments(doc: Doc, lo: int, hi: int) -> list[str] | None:
    """The comma-separated unit names inside the parenthesis doc[lo:hi], or None when it is no chain."""
    segs: list[list[Token]] = [[]]
    for t in doc[lo:hi]:
        if t.text == ",":
            segs.append([])
        elif t.like_num or t.is_quote:
            return None
        elif _capitalised(t) or t.lower_ in _BRACKET_SMALL or t.lower_ in _BRACKET_UNIT_WORDS:
            segs[-1].append(t)
        else:
            return None
    out = []
    for seg in segs:
        if not seg or not any(_capitalised(t) for t in seg):
            return None
        if len(seg) > 1 and seg[-1].lower_ in _BRACKET_UNIT_WORDS:
            seg = seg[:-1]  # "Rafi LGA"
        out.append(_clean(doc[seg[0].i : seg[-1].i + 1].text))
    return out if 1 <= len(out) <= 3 else None


_BIG_CITY = 500_000
_PARTICLES = {"al", "el", "ad", "as", "ash", "at", "ar", "az", "de", "do", "da", "wa"}
_NAME_WORD_KIND = {"district": "admin2", "town": "city", "village": "city", "city": "city"}


def _bracket_name(doc: Doc, open_i: int, lo: int) -> tuple[int, int, str, str | None] | None:
    """The capitalised name right before "(", with a kind word that may follow it ("Bani Siyah area",
    "Al Husha district"): (first token, end token, name, kind hint)."""
    j = open_i - 1
    hint = None
    if j >= lo and doc[j].lower_ in _BRACKET_NAME_WORDS:
        hint = _NAME_WORD_KIND.get(doc[j].lower_)
        j -= 1
    name_end = j + 1
    while j >= lo and name_end - j <= 5:
        t = doc[j]
        if _capitalised(t) and not t.is_punct:
            j -= 1
        elif (
            t.text in ("-", "'", "’")
            and j - 1 >= lo
            and (_capitalised(doc[j - 1]) or doc[j - 1].lower_ in _PARTICLES)
        ):
            j -= 1
        elif t.lower_ in _PARTICLES and j - 1 >= lo and _capitalised(doc[j - 1]):
            j -= 1
        else:
            break
    start = j + 1
    while start < name_end and not _capitalised(doc[start]):
        start += 1
    if start >= name_end:
        return None
    return start, open_i, _clean(doc[start:name_end].text), hint


def _bracket_chains(span: Span | Doc, gaz: Gazetteer, iso3: str | None) -> list[tuple[PlaceMention, int]]:
    """Places written "Name (District, Province)" as ACLED and many wires do, read without the NER
    (which often swallows the parenthesis into one name): (mention of the name, end of the parenthesis).
    The name is looked up inside the units; a name the gazetteer lacks is coded to the most specific
    unit found, as near it (precision 2)."""
    doc = span.doc if isinstance(span, Span) else span
    lo, hi = (span.start, span.end) if isinstance(span, Span) else (0, len(doc))
    out: list[tuple[PlaceMention, int]] = []
    lower = token_table(doc).lower
    for t in (doc[k] for k in range(lo, hi) if lower[k] == "("):
        close = next((k for k in range(t.i + 1, min(hi, t.i + 14)) if doc[k].text in ")("), None)
        if close is None or doc[close].text != ")":
            continue
        segs = _bracket_segments(doc, t.i + 1, close)
        named = _bracket_name(doc, t.i, lo)
        if segs is None or named is None:
            continue
        first, end, name, hint = named
        if get_resolver().is_named_actor(name):
            continue  # "the Taliban (Pakistan)" names a group
        found = _resolve_bracket(gaz, name, hint, segs, iso3)
        if found is None:
            continue
        place, exact = found
        if not exact and hint is None and place.kind == "city" and (place.population or 0) >= _BIG_CITY:
            exact = True  # a part of a big city is coded to the city at precision 1, as its districts are
        m = PlaceMention(
            start=doc[first].idx,
            end=doc[end - 1].idx + len(doc[end - 1]),
            text=doc[first:end].text,
            place=place,
            candidates=1,
            near=not exact or _is_near(doc, first),
        )
        out.append((m, doc[close].idx + 1))
    return out


def _named_inside(gaz: Gazetteer, name: str, hint: str | None, unit: Place) -> Place | None:
    """The entry named `name` inside `unit`: the unit itself when it bears the name (a town, else the
    town of that name in it), an exact name, else a close spelling variant ("Zinijbar", "Zingibar")."""
    key = name_key(name)
    if key == name_key(unit.name):
        if unit.kind == "city" or hint == "admin2":
            return unit
        towns = [
            p
            for i, _s in gaz.ranked(name, iso3=unit.iso3, admin1=unit.admin1, kinds={"city"}, variants=False)[
                :5
            ]
            if _within(p := gaz.place(i), unit)
        ]
        return towns[0] if towns else unit
    kinds = {"admin2"} if hint == "admin2" else None
    for variants in (False, True):
        for i, _s in gaz.ranked(name, iso3=unit.iso3, admin1=unit.admin1, kinds=kinds, variants=variants)[
            :10
        ]:
            p = gaz.place(i)
            if p.code == unit.code or p.kind == "admin1" or not _within(p, unit):
                continue
            if variants and not _close(key, name_key(p.name)):
                continue
            return p
    return None


def _resolve_bracket(
    gaz: Gazetteer, name: str, hint: str | None, segs: list[str], iso3: str | None
) -> tuple[Place, bool] | None:
    """(place, whether the name itself was found) for a name in a chain of units; None when the chain's
    largest unit is nowhere, or ambiguous with nothing inside it to tell which."""
    best: tuple[int, Place, bool] | None = None
    readings = [(segs, iso3, [gaz.place(i) for i, _s in gaz.ranked(segs[-1], kinds=_REGION_KINDS)[:12]])]
    country = gaz.lookup(segs[-1], kinds={"country"}, limit=1)
    if len(segs) > 1 and country and name_key(country[0].name) == name_key(segs[-1]):
        # "Yerevan (Yerevan, Armenia)": a closing country name says where the units are; but "Kagara
        # (Rafi LGA, Niger)" names a state of Nigeria. Both readings are scored.
        c = country[0].iso3
        tops = [
            p
            for i, _s in gaz.ranked(segs[-2], iso3=c, kinds=_REGION_KINDS)[:12]
            if (p := gaz.place(i)).iso3 == c
        ]
        readings.append((segs[:-1], c, tops))
    tops = [p for _segs, _c, ps in readings for p in ps]
    for units, country_of, top in ((sg, c, p) for sg, c, ps in readings for p in ps):
        score = 2 if country_of is not None and top.iso3 == country_of else 0
        chain = [top]
        for seg in reversed(units[:-1]):
            # ACLED writes (district, province): a district first, then any unit of the name.
            inner = _named_inside(gaz, seg, "admin2", chain[-1]) or _named_inside(gaz, seg, None, chain[-1])
            if inner is not None and inner is not chain[-1]:
                chain.append(inner)
                score += 3
        # The name inside the most specific unit, else inside a larger one (units overlap).
        place = next(
            (p for u in reversed(chain) if (p := _named_inside(gaz, name, hint, u)) is not None), None
        )
        exact = place is not None
        if exact:
            score += 3
        else:
            place = _named_inside(gaz, chain[-1].name, None, chain[-1]) or chain[-1]  # its main town
        if best is None or score > best[0]:
            best = (score, place, exact)
    if best is None:
        return _self_named(gaz, name, segs, iso3)
    # Nothing inside the units and no country to tell which: only a province-level name that one
    # country alone uses ("Sadah" is a district in Oman too, but a province only in Yemen).
    if best[0] == 0 and len({p.iso3 for p in tops}) > 1:
        provinces = {p.iso3 for p in tops if p.kind == "admin1"}
        if len(provinces) != 1 or best[1].iso3 not in provinces:
            return None
    return best[1], best[2]


def _self_named(gaz: Gazetteer, name: str, segs: list[str], iso3: str | None) -> tuple[Place, bool] | None:
    """ACLED's "Tangier (Tangier)": a town named after the unit it lies in, when the gazetteer lists no
    unit of that name; believed in the report's country, or where only one country has the town."""
    if len(segs) != 1 or name_key(segs[0]) != name_key(name):
        return None
    towns = [
        gaz.place(i) for i, _s in gaz.ranked(name, iso3=iso3, kinds={"city", "admin2"}, variants=False)[:5]
    ]
    if iso3 is not None:
        towns = [p for p in towns if p.iso3 == iso3]
    if not towns or len({p.iso3 for p in towns}) > 1:
        return None
    return towns[0], True


def _with_bracket_chains(
    found: list[PlaceMention], chains: list[tuple[PlaceMention, int]]
) -> list[PlaceMention]:
    """A chain's reading replaces the mentions within it (the NER's pieces of "Bambofa (Dori, Seno")."""
    if not chains:
        return found
    kept = [m for m in found if not any(c.start <= m.start and m.end <= end for c, end in chains)]
    kept = [
        m
        for m in kept
        if m.place is not None or not any(m.start < end and c.start < m.end for c, end in chains)
    ]
    return kept + [c for c, _e in chains if not any(m.start <= c.start and c.end <= m.end for m in kept)]


# Prepositions that put what follows at a place ("in", "near"); not "of" ("members of Hamas").
_MISREAD_LABELS = {"PERSON", "ORG", "NORP", "WORK_OF_ART", "EVENT", "PRODUCT"}
_PLACE_PREPS = {"in", "near", "at", "outside", "around", "inside", "into", "across", "towards", "toward"}


def _misread_places(
    span: Span | Doc,
    ctx: SentenceContext,
    gaz: Gazetteer,
    found: list[PlaceMention],
    unknown: list[PlaceMention] | None = None,
) -> list[PlaceMention]:
    """Places the NER calls a person or an organisation ("in Bnei Brak city", "in Baalbek"): an entity
    governed by a locative preposition that the gazetteer knows by that exact name, in the article's
    country when it has one. An entity holding a comma chain ("Cienaga, Magdalena department") is
    cut at the comma, and the chain read as its enclosing units. Such entities the gazetteer lacks that
    look like a village's name go to `unknown`."""
    doc = span.doc if isinstance(span, Span) else span
    taken = [(m.start, m.end) for m in found]
    out: list[PlaceMention] = []
    for whole in ents_in(span):
        if whole.label_ not in _MISREAD_LABELS:
            continue
        # "Bara in Idleb" read as one organisation: the name after "in" is the unit the place lies in.
        inner = next((t.i for t in whole[1:-1] if t.lower_ == "in"), None)
        ent = whole if inner is None else doc[inner + 1 : whole.end]
        if not (ent.text[:1].isupper() or ent.text.split("-")[0] in _LOWER_PREFIXES):
            continue
        if any(s < ent.end_char and ent.start_char < e for s, e in taken):
            continue
        cut = next((t.i for t in ent if t.text in (",", "(")), ent.end)
        ent = _join_hyphens(doc[ent.start : cut])
        if not len(ent):
            continue
        root = ent.root
        if root.dep_ == "compound" and root.head.lower_ in _SUFFIX_WORDS:
            root = root.head  # "in Bnei Brak city"
        # After "in" by the parse, or by the word before it when the parse went astray ("in Paucarpata,
        # Arequipa, workers ..."), or "the town of Idleb".
        after_prep = (root.dep_ == "pobj" and root.head.lower_ in _PLACE_PREPS) or (
            ent.start > 0 and doc[ent.start - 1].lower_ in _PLACE_PREPS
        )
        of_a_unit = (
            root.dep_ == "pobj"
            and root.head.lower_ == "of"
            and root.head.head.lower_ in _CONTAINER_NOUNS
            and ent.start > 0
            and doc[ent.start - 1].lower_ == "of"
        )
        if not (after_prep or of_a_unit):
            continue
        if ent.label_ == "NORP" and demonym_country(ent.text) is not None:
            continue
        ext, hint = _with_suffix(ent)
        text = _clean(split_kind_suffix(ext.text)[0] if hint else ext.text)
        if len(text) < 4:
            continue
        name = f"{text} {_hint_word(hint)}".strip()
        ranked = gaz.ranked(
            name, iso3=ctx.iso3, admin1=ctx.admin1, kinds={"city", "admin1", "admin2"}, variants=False
        )
        place = gaz.place(ranked[0][0]) if ranked else None
        chained_place, chained, fell_back = _place_in_chain(ext, text, hint, place, gaz, ctx.iso3)
        near = _is_near(doc, ext.start)
        if chained is not None and (not fell_back or _chain_opens(doc, ext.end)):
            place, near = chained_place, near or fell_back
        elif place is None and (city := _city_of_quarter(gaz, text, ctx, ext)) is not None:
            place, near = city, True
        elif place is None:
            if unknown is not None and after_prep and _unknown_village(ext, ctx):
                unknown.append(PlaceMention(ext.start_char, ext.end_char, ext.text, None, 0, near))
            continue
        elif ctx.iso3 is not None and place.iso3 != ctx.iso3 and not _landmark(place):
            continue
        elif place.kind == "city" and not (place.population or 0) and ctx.iso3 is None:
            continue  # a hamlet somewhere that shares a surname: too weak without a country
        out.append(
            PlaceMention(
                start=ext.start_char,
                end=ext.end_char,
                text=ext.text,
                place=place,
                candidates=len(ranked),
                near=near,
            )
        )
    return out


def _city_of_quarter(gaz: Gazetteer, text: str, ctx: SentenceContext, ext: Span) -> Place | None:
    """ "Kiev-Pecherskyi", "Donetsk-Kirovskyi", "Athens-Central": a name the gazetteer lacks, written
    as a city and its quarter, is coded to the city. Only a city of some size has quarters; a small
    town's hyphen more likely joins a village's two-part name ("Orikhove-Donetske"). Before a road
    the name is the road's two ends ("the Sidon-Tyr highway"): the first is near the event, unless
    the sentence names a place of its own (`_without_road_ends`)."""
    head = text.split("-")[0].strip()
    if "-" not in text or len(head) < 4:
        return None
    ranked = gaz.ranked(head, iso3=ctx.iso3, admin1=ctx.admin1, kinds={"city"}, variants=False)
    place = gaz.place(ranked[0][0]) if ranked else None
    if place is None or (place.population or 0) < 100_000 or _stray_foreign(place, ctx.iso3):
        return None
    return place


_ROUTE_NOUNS = {"highway", "road", "route", "motorway", "railway", "line", "corridor", "axis", "border"}


def _without_road_ends(doc: Doc, found: list[PlaceMention]) -> list[PlaceMention]:
    """Drops "Kabul" read from "the Kabul-Kandahar highway" when the sentence also places the event
    ("... in Nani, Ghazni"): the road's end is where it leads, not where it was cut."""

    def road_end(m: PlaceMention) -> bool:
        sp = char_span(doc, m.start, m.end)
        return "-" in m.text and sp is not None and sp.end < len(doc) and doc[sp.end].lower_ in _ROUTE_NOUNS

    ends = [m for m in found if m.place is not None and road_end(m)]
    if ends and any(m.place is not None and m.place.kind != "country" and m not in ends for m in found):
        return [m for m in found if m not in ends]
    return found


def _unknown_village(ent: Span, ctx: SentenceContext) -> bool:
    """An entity after a locative preposition that reads as the name of a village the gazetteer lacks
    ("near Mineralne", "near Orikhove-Donetske", tagged ORG or PRODUCT): proper nouns, not an English
    word, an acronym or a named group, in a report whose country is known."""
    if ctx.iso3 is None or ent.start == 0 or ent.doc[ent.start - 1].lower_ == "the":
        return False
    words = [t for t in ent if t.text != "-"]
    if not words or any(t.pos_ != "PROPN" or not t.text[:1].isupper() or t.is_upper for t in words):
        return False
    if len(words) == 1 and words[0].lower_ in english_words():
        return False
    return not get_resolver().is_named_actor(ent.text)


def _landmark(place: Place) -> bool:
    """A province, or the city it is named after: named after a locative preposition, it is that place
    even outside the article's country, which a foreign army's demonym may have set ("Turkish forces
    shelled Menbij in Aleppo"). Other foreign towns are too often a local village's namesake, and a
    province name several countries share ("Eastern") names none of them."""
    gaz = get_gazetteer()
    if place.kind == "city" and place.admin1 and gaz.same_admin1(place.name, place.admin1, place.iso3):
        name = place.admin1  # "Dar'a": the town Dara, seat of Daraa
    elif place.kind == "admin1":
        name = place.name
    else:
        return False
    return _province_of_one_country(gaz, name)


def _province_of_one_country(gaz: Gazetteer, name: str) -> bool:
    return len({gaz.place(i).iso3 for i, t in gaz.candidates(name, {"admin1"}) if t < 2}) == 1


def _free(tok: Token) -> bool:
    """Not inside an entity, or inside a short ORG or NORP that is no nationality (the NER often
    calls villages ORG or NORP)."""
    if not tok.ent_type_:
        return True
    if tok.ent_type_ not in ("ORG", "NORP"):
        return False
    ent = next((e for e in ents_in(tok.doc) if e.start <= tok.i < e.end), None)
    if ent is None or len(ent) > 2 or not all(t.pos_ == "PROPN" for t in ent):
        return False
    return tok.ent_type_ == "ORG" or demonym_country(ent.text) is None


def _proper_noun_runs(span: Span | Doc) -> list[Span]:
    """Runs of capitalised proper nouns (4+ characters) outside place entities."""
    doc = span.doc if isinstance(span, Span) else span
    # Tokens for proper nouns only (read from the Doc's token table): building one per word cost more
    # than the rest of the search.
    pos = token_table(doc).pos
    lo, hi = (span.start, span.end) if isinstance(span, Span) else (0, len(doc))
    toks = [doc[k] for k in range(lo, hi) if pos[k] == "PROPN"]
    runs = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t.pos_ != "PROPN" or not _free(t) or not t.text[:1].isupper():
            i += 1
            continue
        j = i
        while j + 1 < len(toks) and toks[j + 1].i == toks[j].i + 1 and _free(toks[j + 1]):
            j += 1
        run = doc[toks[i].i : toks[j].i + 1]
        i = j + 1
        # A group's name is no village, though GeoNames may list one so spelt ("Taliban" in Turkey).
        if len(run.text) >= 4 and not get_resolver().is_named_actor(run.text):
            runs.append(run)
    return runs


_NUMBERED = re.compile(r"^([A-Z][\w'’]+(?:[ -][A-Z][\w'’]+)*)-\d{1,2}$")


def _proper_noun_places(span: Span | Doc, ctx: SentenceContext, gaz: Gazetteer) -> list[PlaceMention]:
    """Villages the NER misses: proper-noun runs outside any entity that name a place in the article's
    country, or any place when followed by a kind word ("in Aydin province")."""
    doc = span.doc if isinstance(span, Span) else span
    out: list[PlaceMention] = []
    for run in _proper_noun_runs(span):
        ext, hint = _with_suffix(run)
        if hint is None and not ctx.iso3:
            continue
        # Exact names only: a person's name is too often a spelling variant of some village.
        ranked = gaz.ranked(
            ext.text, iso3=ctx.iso3, admin1=ctx.admin1, kinds={"city", "admin1", "admin2"}, variants=False
        )
        place = gaz.place(ranked[0][0]) if ranked else None
        near = _is_near(doc, ext.start)
        numbered = _NUMBERED.match(ext.text) if place is None and hint is None else None
        if numbered is not None:
            # "near Zolote-4": a numbered settlement (a mine's or a works' village) by its town.
            town = gaz.ranked(
                numbered.group(1), iso3=ctx.iso3, admin1=ctx.admin1, kinds={"city"}, variants=False
            )
            if town and gaz.place(town[0][0]).iso3 == ctx.iso3:
                ranked, place, near = town, gaz.place(town[0][0]), True
        # "Pipri, Kaushambi (UP)": a run followed by its enclosing units is a place in them.
        text = _clean(split_kind_suffix(ext.text)[0] if hint else ext.text)
        chained_place, chained, fell_back = _place_in_chain(ext, text, hint, place, gaz, ctx.iso3)
        if chained is not None and (not fell_back or _chain_opens(doc, ext.end)):
            place, near = chained_place, near or fell_back
        elif place is None or (hint is None and place.iso3 != ctx.iso3):
            continue
        out.append(
            PlaceMention(
                start=ext.start_char,
                end=ext.end_char,
                text=ext.text,
                place=place,
                candidates=len(ranked),
                near=near,
            )
        )
    return out


def _police_districts(
    span: Span | Doc, ctx: SentenceContext, gaz: Gazetteer, last_city: Place | None, found: list[PlaceMention]
) -> list[PlaceMention]:
    """ "the city's Seventh Police District" -> "<city> - PD7" (ACLED splits big cities this way)."""
    text = span_text(span)
    if "district" not in text.lower() and "pd" not in text.lower():
        return []
    from text_to_num import alpha2digit

    base = span.start_char if isinstance(span, Span) else 0
    digits = alpha2digit(text, "en")
    if digits == text:
        matches = [(m, m.start(), m.end()) for m in _PD_RE.finditer(text)]
    else:  # map offsets back: only safe when the ordinal is the only change near the match
        matches = []
        for m in _PD_RE.finditer(digits):
            word = re.search(r"\b[\w-]+\s+police\s+district\b", text[max(0, m.start() - 30) :], re.IGNORECASE)
            if word:
                s = max(0, m.start() - 30) + word.start()
                matches.append((m, s, s + len(word.group(0))))
    out = []
    for m, s, e in matches:
        number = int(m.group("n1") or m.group("n2") or m.group("n3"))
        city = _city_for(span, s + base, found, ctx, gaz) or last_city
        if city is None:
            continue
        out.append(
            PlaceMention(
                start=base + s,
                end=base + e,
                text=text[s:e],
                place=gaz.police_district(city, number),
                candidates=1,
                part_of=text[s:e],
                near=False,
            )
        )
    return out


def _city_for(
    span: Span | Doc, start: int, found: list[PlaceMention], ctx: SentenceContext, gaz: Gazetteer
) -> Place | None:
    """The city a police district belongs to: a city named in the sentence, else the article's city."""
    cities = [m for m in found if m.place is not None and m.place.kind == "city"]
    if cities:
        return min(cities, key=lambda m: abs(m.start - start)).place
    city = ctx.extras.get("city") if ctx.extras else None
    if isinstance(city, Place):
        return city
    if ctx.admin1 and ctx.iso3:
        a1 = gaz.lookup(ctx.admin1, iso3=ctx.iso3, kinds={"admin1"}, limit=1)
        if a1:
            return gaz.seat_of(a1[0])
    return None


def _dateline_place(doc: Doc, gaz: Gazetteer) -> Place | None:
    """ "KANDAHAR, Afghanistan (AP) —": wire datelines are upper case, which the NER misses."""
    m = _DATELINE_RE.match(doc_text(doc)[:80])
    if not m:
        return None
    name = m.group("place").strip(" .-")
    if len(name) < 3:
        return None
    found = gaz.lookup(name.title(), kinds={"city", "admin1", "admin2"}, limit=1)
    return found[0] if found else None


_DEMONYM_SUFFIXES = ("ians", "ans", "ese", "ish", "ian", "an", "is", "i", "n", "")
_COUNTRY_ENDINGS = ("", "a", "ia", "e", "y", "ey", "ain", "o")


@lru_cache(maxsize=4096)
@lru_cache(maxsize=4096)
def _nationality_word(text: str) -> bool:
    """A nationality word ("Ukrainian"), not a country's own name ("Guatemala")."""
    return name_key(text) not in dict(get_gazetteer().country_keys()) and demonym_country(text) is not None


@lru_cache(maxsize=4096)
def demonym_country(text: str) -> str | None:
    """ISO3 of the country a nationality word points to ("Syrian" -> SYR, "Yemeni" -> YEM), by
    prefix-matching country names; None when unknown or ambiguous."""
    key = name_key(text)
    gaz = get_gazetteer()
    exact = dict(gaz.country_keys())
    for suf in _DEMONYM_SUFFIXES:  # "Nigerian" -> "nigeri" + "a"; "Turkish" -> "turk" + "ey"
        if suf and key.endswith(suf):
            stem = key[: len(key) - len(suf)]
            hits = {exact[stem + end] for end in _COUNTRY_ENDINGS if stem + end in exact}
            if len(hits) == 1:
                return hits.pop()
    for suf in _DEMONYM_SUFFIXES:
        if suf and not key.endswith(suf):
            continue
        stem = key[: len(key) - len(suf)] if suf else key
        if len(stem) < 4:
            continue
        hits = {iso3 for k, iso3 in gaz.country_keys() if k.startswith(stem)}
        if len(hits) == 1:
            return hits.pop()
        if hits:
            return None
    return None


@lru_cache(maxsize=1)
def _theatre_cues() -> tuple[re.Pattern, dict[str, tuple[str, frozenset[str]]]]:
    """Words that name a conflict theatre, and the provinces where its reports' bare place names lie
    (data/places_theatres.csv: an OSCE monitors' report names villages near the Donbas contact line)."""
    path = resources.files("frontlines.data").joinpath("places_theatres.csv")
    areas: dict[str, tuple[str, set[str]]] = {}
    with path.open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            iso3, provinces = areas.setdefault(row["cue"].lower(), (row["iso3"], set()))
            provinces.add(row["admin1"])
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(c) for c in sorted(areas, key=len, reverse=True)) + r")\b", re.I
    )
    return pattern, {c: (iso3, frozenset(a)) for c, (iso3, a) in areas.items()}


def doc_theatre(doc: Doc) -> tuple[str, frozenset[str]] | None:
    """(country, provinces) of the conflict theatre a report names, if any (cached on the Doc)."""
    key = "frontlines_theatre"
    if key not in doc.user_data:
        pattern, areas = _theatre_cues()
        m = pattern.search(doc_text(doc))
        doc.user_data[key] = areas[m.group(1).lower()] if m else None
    return doc.user_data[key]


def _hamlet_outside(place: Place | None, theatre: tuple[str, frozenset[str]]) -> bool:
    """A village or small town of the theatre's country outside its provinces (a city of 50,000 or
    more may be named for itself: monitors also report from Kharkiv and Odesa)."""
    iso3, provinces = theatre
    return (
        place is not None
        and place.iso3 == iso3
        and place.kind == "city"
        and place.admin1 not in provinces
        and (place.population or 0) < 50_000
    )


def _in_theatre(
    gaz: Gazetteer, text: str, place: Place | None, theatre: tuple[str, frozenset[str]]
) -> Place | None:
    """A namesake of `place` inside the report's theatre, when `place` lies in the same country outside it
    (there are a dozen Shevchenkos in Ukraine; the monitors' one is in Donetsk)."""
    iso3, provinces = theatre
    if place is None or place.iso3 not in (iso3, None) or place.admin1 in provinces or place.kind == "admin1":
        return None
    for admin1 in sorted(provinces):
        for i, _s in gaz.ranked(text, iso3=iso3, admin1=admin1, kinds={"city", "admin2"}, variants=False)[:5]:
            p = gaz.place(i)
            if p.iso3 == iso3 and p.admin1 == admin1:
                return p
    return None


def article_place_context(doc: Doc) -> tuple[str | None, str | None, str | None]:
    """(country, iso3, dominant admin1) of an article, by votes of its resolved place mentions.

    Countries vote by mentions of themselves and of their places; the dateline counts three times.
    The admin1 vote is then taken within the winning country.
    """
    gaz = get_gazetteer()
    votes: Counter[str] = Counter()
    names: list[tuple[str, float, Span | None]] = []
    dl = _dateline_place(doc, gaz)
    if dl is not None and dl.iso3:
        votes[dl.iso3] += 3.0
    for ent in _ents(doc):
        ext, hint = _with_suffix(ent)
        text = _clean(split_kind_suffix(ext.text)[0] if hint else ext.text)
        ranked = gaz.ranked(f"{text} {_hint_word(hint)}".strip())
        if ext.end < len(doc) and doc[ext.end].text in (",", "("):
            # "Jalalpur, Shamli (UP)": a chain of units names the country better than a namesake; the
            # unit that holds the name ("Calamba, Laguna": the Philippine one) when a namesake does.
            units = _chain_units(ext, gaz, None)
            own = gaz.place(ranked[0][0]) if ranked else None
            inside = next(
                (
                    p
                    for u in _with_namesakes(gaz, units)
                    if (p := _resolve_in(gaz, text, hint, u)) is not None
                ),
                None,
            )
            if inside is not None:
                votes[inside.iso3] += 1.5
            elif units and not (_big_city_abroad(own, units[0]) and _common_name(gaz, units[0])):
                votes[units[-1].iso3] += 1.5
        if not ranked and len(ext) > 1 and ext[0].lower_ in _PART_WORDS:  # "Central Beirut"
            ranked = gaz.ranked(_clean(ext[1:].text), kinds={"city", "admin1", "admin2"}, variants=False)
        if not ranked:
            continue
        if (
            hint is None
            and name_key(gaz.place(ranked[0][0]).name) != name_key(text)
            and _nationality_word(text)
        ):
            votes[demonym_country(text)] += 1.0  # "Ukrainian" tagged a place: not "Ukrainian Village"
            continue
        # Spread the vote over the countries of the near-best candidates (ambiguous names split).
        top = ranked[0][1]
        close = [gaz.place(i) for i, s in ranked[:8] if s >= top - 1.0]
        # A country name modifying a noun ("the US dollar", "US forces") says whose, not where.
        w = (
            0.25
            if close[0].kind == "country" and ext.root.dep_ in ("compound", "amod", "nmod", "poss")
            else 1.0
        )
        one_country = len({p.iso3 for p in _weighty(gaz, ranked, top)}) == 1
        if any(p.kind == "admin1" for p in close) or (
            one_country and _seat_named_like_province(gaz, close[0])
        ):
            w = 1.5  # a province name says more about the country than a town name many countries share
        for p in close:
            if p.iso3:
                votes[p.iso3] += w / len(close)
        names.append((f"{text} {_hint_word(hint)}".strip(), 1.0, ext))
    theatre = doc_theatre(doc)
    if theatre is not None:
        votes[theatre[0]] += 2.0
    for ent in ents_in(doc):  # "Syrian", "Yemeni" forces: nationality words vote for their country
        if ent.label_ == "NORP":
            iso = demonym_country(ent.text)
            if iso:
                votes[iso] += 1.0
    for name in get_resolver().countries_named(doc):  # "the NPA", "QSD": a group of one country
        country = gaz.country(name)
        if country is not None and country.iso3:
            votes[country.iso3] += 1.0
    if not votes:
        # No place entity at all: the NER often calls villages ORG or NORP. Let proper nouns that
        # name a populated place vote, weakly.
        for run in _proper_noun_runs(doc):
            ranked = gaz.ranked(run.text, kinds={"city", "admin1", "admin2"}, variants=False)
            if ranked:
                p = gaz.place(ranked[0][0])
                if p.iso3 and (p.kind != "city" or (p.population or 0) > 0):
                    votes[p.iso3] += 0.5
                    names.append((run.text, 0.5, run))
    if not votes or votes.most_common(1)[0][1] < 0.5:
        return None, None, None  # only "the US dollar"-like modifiers: no country to go by
    iso3 = votes.most_common(1)[0][0]
    a1_votes: Counter[str] = Counter()
    if dl is not None and dl.iso3 == iso3 and dl.admin1:
        a1_votes[dl.admin1] += 3.0
    for name, w, sp in names:
        # "Kamianka, Donetsk": the enclosing unit named after a place is its province.
        units = _chain_units(sp, gaz, iso3) if sp is not None else []
        found = units[-1:] or gaz.lookup(name, iso3=iso3, limit=1)
        if found and found[0].iso3 == iso3 and found[0].admin1:
            a1_votes[found[0].admin1] += w
    country = gaz.country(iso3)
    admin1 = a1_votes.most_common(1)[0][0] if a1_votes else None
    return (country.name if country else None), iso3, admin1


def _weighty(gaz: Gazetteer, ranked: list[tuple[int, float]], top: float) -> list[Place]:
    """The readings of a name that count as rivals: any close to the best, and further down only admin
    units and towns of 100,000 or more (Lebanon's Tripoli against Libya's, not a Senegalese Dara
    against Syria's Daraa)."""
    out = []
    for i, s in ranked[:8]:
        p = gaz.place(i)
        if s >= top - 1.0 or p.kind != "city" or (p.population or 0) >= 100_000:
            out.append(p)
    return out


def _seat_named_like_province(gaz: Gazetteer, place: Place) -> bool:
    """A town that gives its province its name ("Al-Hasakeh", "Hama"): the name is the province's
    too, though the town outranks the unit as the reading. Only a province name one country uses
    counts ("San Juan" is a province in four)."""
    if place.kind != "city" or not place.admin1 or not gaz.same_admin1(place.name, place.admin1, place.iso3):
        return False
    return _province_of_one_country(gaz, place.admin1)


def geo_precision(mention: PlaceMention) -> int:
    """ACLED geo-precision: 1 named town/district centre/police district, 2 near it or a district area,
    3 a province or larger (coded to the provincial capital)."""
    p = mention.place
    if p is None or p.kind in ("country", "admin1"):
        return 3
    if p.kind == "admin2" and (split_kind_suffix(mention.text)[1] == "admin2" or p.latitude is None):
        return 3 if p.latitude is None else 2  # "X district": an area, coded to its centre town
    if p.kind == "feature":
        return 2
    return 2 if mention.near else 1


def _mention_root(doc: Doc, m: PlaceMention) -> Token | None:
    sp = char_span(doc, m.start, m.end)
    return sp.root if sp is not None and len(sp) else None


def _speaker_place(tok: Token) -> bool:
    """ "a spokesman for the Kandahar governor": the place qualifies who speaks, not where."""
    head = tok.head
    for _ in range(3):
        if tok.dep_ in ("compound", "amod", "poss", "nmod") and head.lower_ in _SPEAKER_NOUNS:
            return True
        if (
            tok.dep_ == "pobj"
            and head.head.lower_ in _SPEAKER_NOUNS
            and head.lower_ in ("for", "of", "in", "from")
        ):
            return True
        if head is tok:
            break
        tok, head = head, head.head
        if tok.pos_ == "VERB":
            break
    return False


def _clauses_between(tok: Token, trigger: Token) -> int:
    """Verbs passed going up from a place to the trigger: each is another clause (another event)."""
    n = 0
    for anc in tok.ancestors:
        if anc == trigger:
            return n
        if anc.pos_ in ("VERB", "AUX") and anc.dep_ != "aux":
            n += 1
    return n


def choose_event_place(
    mentions: list[PlaceMention], trigger_start: int, trigger_end: int, doc: Doc
) -> PlaceMention | None:
    """The mention naming where the event happened.

    Prefers places attached to the trigger through a locative preposition ("in", "at", "near",
    "of"), or inside its subtree, the more specific kind, and the nearer one; demotes places that
    qualify a speaker ("a spokesman for the Kandahar governor said") and bare countries.
    """
    cands = [m for m in mentions if m.place is not None] or mentions
    if not cands:
        return None
    trig = char_span(doc, trigger_start, trigger_end)
    troot = trig.root if trig is not None and len(trig) else None
    subtree = {t.i for t in troot.subtree} if troot is not None else set()
    best: tuple[float, PlaceMention] | None = None
    for m in cands:
        score = _KIND_SPECIFICITY.get(m.place.kind, 1.0) if m.place else 0.0
        root = _mention_root(doc, m)
        if root is not None and troot is not None:
            if root.i in subtree:
                score += 3.0
            prep = root.head if root.dep_ == "pobj" else None
            if root.head == troot and root.dep_ in ("dobj", "nsubjpass", "nsubj", "attr", "npadvmod"):
                score += 3.0  # "attacked the city's Seventh Police District"
            if prep is not None and prep.lower_ in _EVENT_PREPS:
                score += 2.0
                if prep.head == troot or (prep.head.head == troot and prep.head.pos_ in ("NOUN", "PROPN")):
                    score += 2.0
            score -= 2.0 * _clauses_between(root, troot)
            if _speaker_place(root):
                score -= 6.0

            if root.sent != troot.sent:
                score -= 4.0
        if (
            m.place is not None
            and m.place.kind in ("admin1", "country")
            and any(
                o.place is not None
                and _KIND_SPECIFICITY.get(o.place.kind, 0) > _KIND_SPECIFICITY[m.place.kind]
                and (
                    o.place.admin1 == m.place.admin1
                    if m.place.kind == "admin1"
                    else o.place.iso3 == m.place.iso3
                )
                for o in cands
            )
        ):
            score -= 5.0  # "Torghundi, in Herat province": the province only locates the crossing
        if (
            m.place is not None
            and m.place.kind == "country"
            and any(o.place is not None and o.place.kind != "country" for o in cands)
        ):
            score -= 3.0  # a country is the event's place only when nothing smaller is named
        if _is_dateline(doc, m):
            score -= 6.0  # "KABUL, Afghanistan (Jan. 8) —": where the report was filed
        if _container_of_next(doc, m, cands):
            score -= 4.0
            score -= 0.05 * abs(root.i - troot.i)
        if best is None or score > best[0]:
            best = (score, m)
    return best[1] if best else None


def _is_dateline(doc: Doc, m: PlaceMention) -> bool:
    """A wire dateline: an upper-case place name followed by a comma, parenthesis or dash."""
    if not (m.text.isupper() and len(m.text) > 3):
        return False
    rest = doc_text(doc)[m.end : m.end + 3].lstrip()
    return rest[:1] in (",", "(", "—", "–", "-")


def describe(place: Place) -> str:
    """One-line label for logs and tests: "Spin Boldak (admin2, Kandahar, AFG)"."""
    parts = [p for p in (place.kind, place.admin1, place.iso3) if p]
    return f"{fold(place.name)} ({', '.join(parts)})"
