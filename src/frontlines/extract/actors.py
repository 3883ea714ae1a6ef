"""Actor mentions: surface forms resolved to ACLED-style actor names.

Two sources, both driven by `data/actors.yaml`:

* named aliases ("Taliban", "ANDSF", "Houthi rebels", "the Afghan Air Force") matched with a spaCy
  `PhraseMatcher` on LOWER (capitalised aliases such as "US" or "ANA" on ORTH, so pronouns do not fire);
* generic head nouns ("Nigerian soldiers", "security forces", "protesters", "unknown gunmen",
  "insurgents") resolved by their modifiers and the article's country: ACLED names state forces by
  regime ("Military Forces of Nigeria (2015-)"), crowds by country ("Protesters (India)"), and never
  uses "insurgents"/"terrorists" as names, so those go to the article's main non-state actor.

Names that change with time (the Taliban became Afghanistan's state forces after 15 August 2021) carry
`from`/`until` dates in the data; without a date the first listed candidate is used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span, Token
from spacy.util import filter_spans
from spacy.vocab import Vocab

from frontlines.extract.mentions import Actor, ActorMention
from frontlines.nlp import doc_text, pattern_tokenizer, token_bounds, token_table
from frontlines.resources import load_yaml

__all__ = ["ActorResolver", "find_actors", "get_resolver", "main_actor", "state_forces"]

# Inter categories of armed non-state actors: candidates for an article's "main actor".
NONSTATE_ARMED = frozenset({"Rebel group", "Political militia", "Identity militia"})
ARMED = NONSTATE_ARMED | {"State forces", "External/Other forces"}
_STATE_INTERS = frozenset({"State forces", "External/Other forces"})
# Determiners that may precede an anaphoric head ("the group") without making it a new group.
_ANAPHORIC_DETS = frozenset({"the", "this", "that", "these", "those"})
_POSSESSIVE_PRONOUNS = frozenset({"its", "their", "his", "her"})
# Dependency labels of the left modifiers that belong to a noun phrase.
_NP_MODS = frozenset(
    {"amod", "compound", "nmod", "det", "poss", "nummod", "quantmod", "case", "punct", "npadvmod"}
)


@dataclass(frozen=True, slots=True)
class _Candidate:
    """One reading of an alias: a named actor, or a country's state forces (date-aware)."""

    name: str  # may contain "{country}"
    inter: str
    country: str | None = None
    start: date | None = None
    end: date | None = None
    context: bool = False  # only when the article's country is `country`
    force: str | None = None  # "military" | "police": resolve through the country's regimes
    unit: str | None = None  # "Gendarmerie", "Military Police"

    def active(self, on: date | None) -> bool:
        if on is None:
            return True
        return (self.start is None or self.start <= on) and (self.end is None or on <= self.end)


@dataclass(frozen=True, slots=True)
class _Regime:
    years: str | None
    start: date | None = None
    end: date | None = None
    suffix: str | None = None


@dataclass(slots=True)
class _Country:
    name: str
    the: bool
    military: list[_Regime]
    police: list[_Regime]
    abroad: dict[str, str]  # article country -> intervention name ACLED uses for this military there


def _regimes(spec: object, default: str | None) -> list[_Regime]:
    if spec is None:
        return [_Regime(default)]
    if isinstance(spec, str):
        return [_Regime(spec)]
    return [_Regime(r.get("years"), r.get("from"), r.get("until"), r.get("suffix")) for r in spec]


def _is_cased(alias: str) -> bool:
    # Aliases written with capitals in the data are acronyms that must match case-sensitively.
    return alias != alias.lower()


class ActorResolver:
    """Resolves actor mentions with the dictionary in `data/actors.yaml`. Build once (`get_resolver`)."""

    def __init__(self, data: dict | None = None) -> None:
        if data is None:
            data = load_yaml("actors.yaml")
        self._tokenizer = pattern_tokenizer()
        self.countries: dict[str, _Country] = {}
        # Modifier words -> country ("nigerian", "afghanistan", "south african"); cased ones kept apart.
        self._nation: dict[str, str] = {}
        self._nation_cased: dict[str, str] = {}
        for name, spec in data.get("countries", {}).items():
            spec = spec or {}
            regime = spec.get("regime")
            self.countries[name] = _Country(
                name=name,
                the=bool(spec.get("the")),
                military=_regimes(spec.get("military"), regime),
                police=_regimes(spec.get("police"), regime),
                abroad=dict(spec.get("abroad") or {}),
            )
            self._nation.setdefault(name.lower(), name)  # country names match in any case
            for word in [*spec.get("demonyms", []), *spec.get("aliases", [])]:
                if _is_cased(word):
                    self._nation_cased.setdefault(word, name)
                else:
                    self._nation.setdefault(word, name)
        self._max_nation_words = max(len(w.split()) for w in [*self._nation, *self._nation_cased])

        gen = data.get("generic", {})
        self._classes: dict[str, dict] = gen
        self._head_class: dict[str, str] = {}
        self._qualified_class: dict[str, list[str]] = {}
        for cls, spec in gen.items():
            for h in spec.get("heads", []):
                self._head_class.setdefault(h, cls)
            for h in spec.get("qualified_heads", []):
                self._qualified_class.setdefault(h, []).append(cls)
        # A class's own heads qualify its qualified heads ("police officers", "gendarmerie forces").
        self._qualifiers = {
            cls: frozenset([*spec.get("qualifiers", []), *spec.get("heads", [])]) for cls, spec in gen.items()
        }
        self._units: dict[str, tuple[str, str]] = {
            w: (cls, unit) for cls, spec in gen.items() for w, unit in (spec.get("units") or {}).items()
        }
        self._police_words = frozenset(gen.get("police", {}).get("heads", []))
        self._nation_heads = frozenset(gen.get("military", {}).get("nation_heads", []))
        unid = gen.get("unidentified", {})
        self._armed_mods = frozenset(unid.get("armed_modifiers", []))
        self._armed_heads = frozenset(unid.get("armed_heads", []))
        self._anaphoric = frozenset(gen.get("contextual", {}).get("anaphoric_heads", []))
        ident = gen.get("identity") or {}
        self._identity_inter: str = ident.get("inter", "Identity militia")
        self._identity_nouns: dict[str, str] = dict(ident.get("group_nouns") or {})
        self._identity_members: frozenset[str] = frozenset(ident.get("member_nouns") or [])
        self._ethnic_nouns: frozenset[str] = frozenset(ident.get("ethnic_nouns") or [])
        self._ethnic_kind: str = ident.get("ethnic_kind", "Ethnic Militia")
        self._not_actor_objects = frozenset(gen.get("military", {}).get("not_actor_objects", []))

        # alias -> candidates, in data order (the first is the default when no date is known).
        self._aliases: dict[str, list[_Candidate]] = {}
        for spec in data.get("state_aliases", []):
            cand = _Candidate(
                name="",
                inter="State forces",
                country=spec["country"],
                context=bool(spec.get("context")),
                force=spec["force"],
                unit=spec.get("unit"),
            )
            for a in spec.get("aliases", []):
                self._aliases.setdefault(a if _is_cased(a) else a.lower(), []).append(cand)
        for spec in data.get("actors", []):
            cand = _Candidate(
                name=spec["name"],
                inter=spec["inter"],
                country=spec.get("country"),
                start=spec.get("from"),
                end=spec.get("until"),
                context=bool(spec.get("context")),
            )
            for a in spec.get("aliases", []):
                self._aliases.setdefault(a if _is_cased(a) else a.lower(), []).append(cand)
        self._matchers: dict[int, tuple[PhraseMatcher, PhraseMatcher]] = {}
        # Roles read off the parse: class -> (verbs, light verbs, nouns, crowd heads or None for any subject).
        self._roles: dict[str, tuple[frozenset, frozenset, frozenset, frozenset | None]] = {}
        self._role_words: dict[str, frozenset] = {}
        for cls, spec in (data.get("roles") or {}).items():
            crowd = spec.get("crowd_heads")
            if crowd is not None:
                # Crowd words of the generic classes count too ("villagers pelted stones").
                crowd = [
                    *crowd,
                    *(
                        h
                        for c in ("civilians", "protesters", "rioters")
                        for h in gen.get(c, {}).get("heads", [])
                    ),
                ]
            self._roles[cls] = (
                frozenset(spec.get("verbs", [])),
                frozenset(spec.get("light_verbs", [])),
                frozenset(spec.get("nouns", [])),
                frozenset(crowd) if crowd is not None else None,
            )
            self._role_words[cls] = self._roles[cls][0] | self._roles[cls][1] | self._roles[cls][2]

    # ----------------------------------------------------------------------------------------------
    # Naming
    def state_forces(
        self,
        country: str,
        force: str = "military",
        *,
        on: date | None = None,
        context: str | None = None,
        unit: str | None = None,
    ) -> Actor:
        """`Military Forces of <Country> (<years>)` / `Police Forces of ...` for the regime in power `on`.

        Foreign state forces (country differs from the article's `context` country) are External/Other forces.
        """
        c = self.countries.get(country)
        if c and force == "military" and context in c.abroad and unit is None:
            return Actor(name=c.abroad[context], inter="External/Other forces", country=country)
        regimes = (c.police if force == "police" else c.military) if c else [_Regime(None)]
        regime = next((r for r in regimes if on is None or _within(on, r.start, r.end)), regimes[0])
        kind = "Police" if force == "police" else "Military"
        name = f"{kind} Forces of {'the ' if c and c.the else ''}{country}"
        if regime.years:
            name += f" ({regime.years})"
        if regime.suffix:
            name += f" {regime.suffix}"
        if unit:
            name += f" {unit}"
        inter = "State forces" if context is None or context == country else "External/Other forces"
        return Actor(name=name, inter=inter, country=country)

    def _crowd(self, cls: str, country: str | None) -> Actor:
        spec = self._classes[cls]
        name = f"{spec['name']} ({country})" if country else spec["name"]
        return Actor(name=name, inter=spec["inter"], country=country)

    def is_named_actor(self, text: str) -> bool:
        """Whether `text` is, as a whole, a name in the actor dictionary ("Taliban", "Houthis", "PKK")."""
        t = text.strip()
        return t in self._aliases or t.lower() in self._aliases

    def unidentified(self, country: str | None) -> Actor:
        """ACLED's name for an armed group the report does not identify, in `country`."""
        return self._crowd("unidentified", country)

    def _named(self, cands: list[_Candidate], country: str | None, on: date | None) -> Actor | None:
        """Pick the reading of an alias that fits the article's country and date."""
        usable = [c for c in cands if c.active(on) and (not c.context or c.country == country)]
        if not usable:
            return None
        # Prefer readings tied to the article's country, keeping data order otherwise.
        best = next((c for c in usable if country and c.country == country), usable[0])
        if best.force:
            return self.state_forces(best.country, best.force, on=on, context=country, unit=best.unit)
        where = country or best.country
        if "{country}" in best.name:
            name = best.name.format(country=where) if where else best.name.replace(" ({country})", "")
        else:
            name = best.name
        inter = best.inter
        if inter == "State forces" and country and best.country and best.country != country:
            inter = "External/Other forces"
        return Actor(name=name, inter=inter, country=where if "{country}" in best.name else best.country)

    # ----------------------------------------------------------------------------------------------
    # Generic heads
    def _nation_of(self, words: list[Token]) -> str | None:
        """Country named by a demonym or country name among modifier tokens ("South African", "U.S.")."""
        n = len(words)
        for size in range(min(self._max_nation_words, n), 0, -1):
            for i in range(n - size + 1):
                chunk = words[i : i + size]
                hit = self._nation_cased.get(" ".join(t.text for t in chunk))
                if hit:
                    return hit
                key = " ".join(t.lower_ for t in chunk)
                hit = self._nation.get(key)
                if hit:
                    return hit
        return None

    def _generic(
        self,
        head: Token,
        mods: list[Token],
        *,
        country: str | None,
        main_actor: Actor | None,
        on: date | None,
    ) -> Actor | None:
        h = head.lower_
        mod_words = {t.lower_ for t in mods}
        nation = self._nation_of(mods)
        where = nation or country
        armed = bool(mod_words & self._armed_mods)

        cls = self._head_class.get(h)
        if cls is None and nation and h in self._nation_heads:
            cls = "military"
        if cls is None and h in self._qualified_class:
            for c in self._qualified_class[h]:
                if nation or mod_words & (self._qualifiers.get(c, frozenset()) | self._police_words):
                    cls = c
                    break
        if cls is None and h in self._armed_heads and armed:
            cls = "unidentified"
        if cls is None and h in self._anaphoric:
            # "the group" alone refers back; "a group of people" does not.
            if mods and all(t.lower_ in _ANAPHORIC_DETS for t in mods):
                cls = "contextual"
        if cls is None:
            return None

        if cls in ("military", "police"):
            force = cls
            if mod_words & self._police_words and h not in self._police_words:
                force = "police"
            elif mod_words & {"army", "military"}:
                force = "military"
            unit = next(
                (
                    self._units[w][1]
                    for w in [h, *mod_words]
                    if w in self._units and self._units[w][0] == force
                ),
                None,
            )
            if nation is None and mod_words & _POSSESSIVE_PRONOUNS:
                return None  # "its troops", "their soldiers": whose is unknown here, not the article's state
            if where is None:
                return None  # a state's forces cannot be named without knowing the state
            return self.state_forces(where, force, on=on, context=country, unit=unit)
        if cls == "contextual":
            if armed or main_actor is None:
                return self._crowd("unidentified", where)
            return main_actor
        if cls in ("protesters", "rioters", "civilians") and armed:
            return self._crowd("unidentified", where)
        return self._crowd(cls, where)

    # ----------------------------------------------------------------------------------------------
    # Matching
    def _matcher_pair(self, doc: Doc) -> tuple[PhraseMatcher, PhraseMatcher]:
        key = id(doc.vocab)
        pair = self._matchers.get(key)
        if pair is None:
            lower = PhraseMatcher(doc.vocab, attr="LOWER")
            cased = PhraseMatcher(doc.vocab, attr="ORTH")
            for alias in self._aliases:
                (cased if _is_cased(alias) else lower).add(alias, [self._tokenizer(alias)])
            pair = (lower, cased)
            self._matchers[key] = pair
        return pair

    def _named_spans(
        self, doclike: Doc | Span, country: str | None, on: date | None
    ) -> list[tuple[Span, Actor]]:
        doc = doclike.doc if isinstance(doclike, Span) else doclike
        lower, cased = self._matcher_pair(doc)
        out: list[tuple[Span, Actor]] = []
        for matcher in (lower, cased):
            for match_id, start, end in matcher(doclike, as_spans=False):
                alias = doc.vocab.strings[match_id]
                actor = self._named(self._aliases[alias], country, on)
                if actor is not None:
                    span = (
                        Span(doc, start, end) if isinstance(doclike, Doc) else _doc_span(doclike, start, end)
                    )
                    if _negated(doc, span.start):
                        continue  # "anti-Houthi forces" are the Houthis' enemies
                    out.append((span, actor))
        keep = {(s.start, s.end) for s in filter_spans([s for s, _ in out])}
        seen: set[tuple[int, int]] = set()
        result = []
        for s, a in sorted(out, key=lambda x: x[0].start):
            k = (s.start, s.end)
            if k in keep and k not in seen:
                seen.add(k)
                result.append((s, a))
        return result

    def countries_named(self, doc: Doc) -> set[str]:
        """Countries of the named groups and state forces a document mentions, where the name belongs
        to one country ("QSD" Syria, "NPA" the Philippines, "Imbonerakure" Burundi). Words that name a
        country's forces only in its own reports (`context: true`) say nothing here."""
        lower, cased = self._matcher_pair(doc)
        out: set[str] = set()
        for matcher in (lower, cased):
            for match_id, _start, _end in matcher(doc, as_spans=False):
                cands = self._aliases[doc.vocab.strings[match_id]]
                countries = {c.country for c in cands}
                if len(countries) == 1 and None not in countries and not any(c.context for c in cands):
                    out |= countries
        return out

    def _head_tokens(self, doclike: Doc | Span) -> Iterable[Token]:
        doc, lo, hi = token_bounds(doclike)
        for i, h in enumerate(token_table(doc).lower[lo:hi], lo):
            if self._is_head_word(h) or h in self._anaphoric:
                yield doc[i]

    def find(
        self,
        doclike: Doc | Span,
        *,
        country: str | None = None,
        main_actor: Actor | None = None,
        on: date | None = None,
    ) -> list[ActorMention]:
        """Actor mentions in a parsed span, in text order, with character offsets into the document."""
        doc = doclike.doc if isinstance(doclike, Span) else doclike
        lo = doclike.start if isinstance(doclike, Span) else 0
        named = self._named_spans(doclike, country, on)
        covered = {i for s, _ in named for i in range(s.start, s.end)}
        # Extend a named match over a following head noun ("Houthi forces", "Haqqani fighters").
        extended: list[tuple[int, int, Actor]] = []
        for s, a in named:
            end = s.end
            nxt = doc[end] if end < len(doc) else None
            if (
                nxt is not None
                and nxt.i < lo + len(doclike)
                and nxt.i not in covered
                and self._is_head_word(nxt.lower_)
            ):
                end += 1
                covered.add(nxt.i)
            extended.append((s.start, end, a))

        identity = self._identity_spans(doclike, country) if doc.has_annotation("DEP") else []
        identity = [m for m in identity if not any(i in covered for i in range(m[0], m[1]))]
        covered.update(i for s, e, _ in identity for i in range(s, e))
        extended.extend(identity)
        mentions = list(extended)
        # Roles need the dependency parse; a tokenizer-only doc still gets aliases and head nouns.
        roles = self._roles.items() if doc.has_annotation("DEP") else ()
        if roles:
            # A role needs one of its verbs or nouns in the span; most sentences have none, so the
            # per-token walk of each role is skipped for them.
            table = token_table(doc)
            words = {*table.lower[lo : lo + len(doclike)], *table.lemma[lo : lo + len(doclike)]}
            roles = [(cls, role) for cls, role in roles if not words.isdisjoint(self._role_words[cls])]
        for cls, role in roles:
            crowd = self._crowd(cls, country)
            for s, e, is_subject in self._role_spans(doclike, *role):
                if any(s <= m[0] < e for m in extended):
                    continue  # a named actor is doing it ("PKK supporters protested"): keep the name
                mentions.append((s, e, crowd))
                if is_subject:
                    # The subject's own head noun ("residents") is read as the protesting crowd.
                    covered.update(range(s, e))
        for head in self._head_tokens(doclike):
            if head.i in covered:
                continue
            # A compound modifier whose head is itself an actor noun is read with that head ("police officers").
            if (
                head.dep_ in ("compound", "amod")
                and head.head.i > head.i
                and self._is_head_word(head.head.lower_)
            ):
                continue
            # "military equipment", "army sources": the word describes a thing, not a side.
            if head.dep_ in ("compound", "amod") and head.head.lower_ in self._not_actor_objects:
                continue
            left = max(head.left_edge.i, lo)
            mods = [t for t in doc[left : head.i] if not t.is_punct or t.text in ("-", "'s")]
            # Drop modifiers before a named match inside the phrase: the named actor already covers them.
            if any(t.i in covered for t in mods):
                continue
            extra = _of_country(head)
            actor = self._generic(head, mods + extra, country=country, main_actor=main_actor, on=on)
            if actor is None:
                continue
            start = left
            while start < head.i and doc[start].is_punct:
                start += 1
            mentions.append((start, head.i + 1, actor))
        mentions.sort(key=lambda m: (m[0], m[1]))
        if doc.has_annotation("DEP"):
            mentions = [(s, e, _affiliation(doc, e - 1, a, extended)) for s, e, a in mentions]
        out: list[ActorMention] = []
        for s, e, a in mentions:
            cs, ce = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
            out.append(ActorMention(start=cs, end=ce, text=doc_text(doc)[cs:ce], actor=a))
        return out

    def _identity_spans(self, doclike: Doc | Span, country: str | None) -> list[tuple[int, int, Actor]]:
        """Clan, caste and tribal groups named by ACLED as "<Name> Clan Militia (<Country>)".

        "the Leelkayse clan", "Al Awad tribesmen", "Sacad clan militiamen"; without a name, members
        ("tribesmen") are an unidentified one. A group noun that only describes another noun
        ("a Rajput caste family") is not a militia.
        """
        doc, lo, hi = token_bounds(doclike)
        out: list[tuple[int, int, Actor]] = []
        for i, word in enumerate(token_table(doc).lower[lo:hi], lo):
            if word not in self._identity_nouns and word not in self._ethnic_nouns:
                continue
            t = doc[i]
            kind = self._identity_nouns.get(t.lower_)
            if kind is None and t.lower_ in self._ethnic_nouns:
                # "Tiv militias": a capitalised name that is no country or demonym names an ethnic militia.
                prev = doc[t.i - 1] if t.i > 0 else None
                if prev is None or not prev.is_title or prev.pos_ != "PROPN" or prev.i < doclike[0].i:
                    continue
                if prev.lower_ in self._nation or prev.text in self._nation_cased:
                    continue
                kind = self._ethnic_kind
            if kind is None:
                continue
            end = t.i + 1
            if t.dep_ in ("compound", "amod") and t.head.i > t.i:
                if t.head.lower_ not in self._identity_members:
                    continue  # "a caste family", "a clan feud"
                end = t.head.i + 1  # "clan militiamen"
            # The name: the capitalised words right before the noun ("Habar Gedir", "Al Awad").
            i = t.i
            if i > 0 and doc[i - 1].text == "-" and i > 1 and doc[i - 2].lower_ == "sub":
                i -= 2  # "sub-clan" split by the tokenizer
                kind = f"Sub-{kind}" if kind.startswith("Clan") else kind
            start = i
            while start > 0 and doc[start - 1].is_title and doc[start - 1].pos_ in ("PROPN", "ADJ", "NOUN"):
                start -= 1
            words = [w.text for w in doc[start:i]]
            where = f" ({country})" if country else ""
            if words:
                name = f"{' '.join(words)} {kind}{where}"
            elif t.lower_ in self._identity_members or end > t.i + 1:
                name = f"Unidentified {kind}{where}"
            else:
                continue  # "a rival clan": no group to name
            out.append(
                (start if words else t.i, end, Actor(name=name, inter=self._identity_inter, country=country))
            )
        return out

    def _role_spans(
        self,
        doclike: Doc | Span,
        verbs: frozenset,
        light_verbs: frozenset,
        nouns: frozenset,
        crowd: frozenset | None,
    ) -> list[tuple[int, int, bool]]:
        """Token spans standing for a crowd role: subjects of its verbs, else one role noun per sentence.

        With `crowd` given, only subjects headed by a crowd word count ("villagers pelted stones", not
        "soldiers burned the village"). Returns (start, end, is_subject) token offsets.
        """
        doc, lo, hi = token_bounds(doclike)
        out: list[tuple[int, int, bool]] = []
        nominal: dict[int, tuple[int, int]] = {}  # sentence start -> first role noun
        with_subject: set[int] = set()
        table = token_table(doc)
        for i in range(lo, hi):
            lemma, lower = table.lemma[i], table.lower[i]
            if not (lemma in verbs or lemma in light_verbs or lower in light_verbs or lower in nouns):
                continue  # none of the branches below can hold
            t = doc[i]
            is_verb = t.pos_ in ("VERB", "AUX")
            light = (
                is_verb
                and (lemma in light_verbs or t.lower_ in light_verbs)
                # "held a protest", "held a protest sit-in" (the protest noun as the object's compound)
                and any(
                    c.dep_ == "dobj"
                    and (
                        c.lower_ in nouns
                        or any(g.dep_ == "compound" and g.lower_ in nouns for g in c.children)
                    )
                    for c in t.children
                )
            )
            if (is_verb and lemma in verbs) or light:
                for sb in _subjects(t):
                    if crowd is not None and _armed_subject(sb, self._armed_mods):
                        continue  # "armed men attacked": an armed group, not a rioting crowd
                    end = sb.i + 1
                    head = sb
                    # "hundreds of workers", "a group of residents": keep the "of" complement.
                    for prep in sb.rights:
                        if prep.dep_ == "prep" and prep.lower_ == "of":
                            for c in prep.children:
                                if c.dep_ == "pobj":
                                    end, head = max(end, c.i + 1), c
                    # "a group of police" is police, not a crowd: the complement decides when there is one.
                    if crowd is not None and head.lower_ not in crowd:
                        continue
                    start = sb.i
                    # Stop at a comma: a misparsed subject may own the sentence's opening date phrase.
                    while start > sb.left_edge.i and doc[start - 1].text not in (",", ";", ":"):
                        start -= 1
                    out.append((start, end, True))
                    with_subject.add(t.sent.start)
            elif t.pos_ == "NOUN" and t.lower_ in nouns and t.dep_ != "compound":
                nominal.setdefault(t.sent.start, (t.i, t.i + 1))
        out.extend((s, e, False) for sent, (s, e) in nominal.items() if sent not in with_subject)
        return out

    def _is_head_word(self, word: str) -> bool:
        return (
            word in self._head_class
            or word in self._qualified_class
            or word in self._armed_heads
            or word in self._nation_heads
        )

    def resolve(
        self,
        text: str,
        *,
        country: str | None = None,
        main_actor: Actor | None = None,
        on: date | None = None,
    ) -> Actor | None:
        """Resolve one mention string ("the Afghan Air Force", "insurgents") to an actor, or None.

        Works without a parse: the longest alias inside the text wins; otherwise the last word is read as
        the head noun and the words before it as its modifiers ("army of Nigeria" reads "Nigeria" too).
        """
        doc = self._tokenizer(text.strip())
        if not len(doc):
            return None
        named = self._named_spans(doc, country, on)
        if named:
            span, actor = max(named, key=lambda x: (len(x[0]), -x[0].start))
            return actor
        words = [t for t in doc if not t.is_punct or t.text == "-"]
        of = next((i for i, t in enumerate(words) if t.lower_ in ("of", "for", "in", "from")), None)
        head_zone = words[:of] if of is not None else words
        if not head_zone:
            return None
        head = head_zone[-1]
        mods = head_zone[:-1] + (
            words[of + 1 :] if of is not None and words[of].lower_ in ("of", "from") else []
        )
        return self._generic(head, mods, country=country, main_actor=main_actor, on=on)


def _within(on: date, start: date | None, end: date | None) -> bool:
    return (start is None or start <= on) and (end is None or on <= end)


def _doc_span(span: Span, start: int, end: int) -> Span:
    if _SPAN_RELATIVE:
        start, end = start + span.start, end + span.start
    return Span(span.doc, start, end)


def _matcher_span_relative() -> bool:
    """Whether this spaCy's PhraseMatcher reports offsets relative to a Span it is given (probed once)."""
    vocab = Vocab()  # no Language needed: building one costs a tenth of a second at import
    matcher = PhraseMatcher(vocab)
    matcher.add("probe", [Doc(vocab, words=["b"])])
    return matcher(Doc(vocab, words=["a", "b"])[1:], as_spans=False)[0][1] == 0


_SPAN_RELATIVE = _matcher_span_relative()


# "rebels under OPS", "fighters of Al Shabaab", "militiamen from the PKK": the named group decides.
_AFFILIATION_PREPS = frozenset({"under", "of", "from"})


def _affiliation(doc: Doc, head_i: int, actor: Actor, named: list[tuple[int, int, Actor]]) -> Actor:
    """An armed mention's actor, replaced by a named armed group it is said to belong to."""
    if actor.inter not in ARMED:
        return actor
    # The parser often hangs "under X" on the verb: read the words right after the mention too.
    nxt = head_i + 1
    if nxt < len(doc) and doc[nxt].lower_ in _AFFILIATION_PREPS:
        after = nxt + 1 + (nxt + 1 < len(doc) and doc[nxt + 1].lower_ == "the")
        for s, _e, a in named:
            if s == after and a.inter in ARMED and a.name != actor.name:
                return a
    for prep in doc[head_i].rights:
        if prep.dep_ != "prep" or prep.lower_ not in _AFFILIATION_PREPS:
            continue
        for pobj in prep.children:
            if pobj.dep_ != "pobj":
                continue
            lo, hi = pobj.left_edge.i, pobj.right_edge.i + 1
            for s, e, a in named:
                if lo <= s and e <= hi and a.inter in ARMED and a.name != actor.name:
                    return a
    return actor


_RELATIVE_PRONOUNS = frozenset({"who", "that", "which"})


def _subjects(verb: Token) -> list[Token]:
    """The nominal subjects of a verb, looking through the clauses that share their subject.

    "workers marched and chanted" (conj), "people drove to the square to protest" (advcl/xcomp) and
    "prisoners who were protesting" (a relative pronoun stands for the noun it modifies).
    """
    v = verb
    for _ in range(3):
        subj = [c for c in v.children if c.dep_ == "nsubj"]
        if subj:
            break
        if v.dep_ in ("conj", "xcomp", "advcl") and v.head is not v:
            v = v.head
            continue
        if v.dep_ == "relcl" and v.head.pos_ in ("NOUN", "PROPN"):
            return [v.head]  # "a crowd that attacked" with no pronoun child
        if (
            v.dep_ == "acl"
            and (v.tag_ in ("VBD", "VBZ", "VBP") or v.head.dep_ == "ROOT")
            and v.head.pos_ in ("NOUN", "PROPN")
        ):
            return [v.head]  # a finite verb parsed as the noun's clause: "interns protested in the square"
        return _adjacent_subject(v)
    out = []
    for sb in subj:
        if sb.lower_ in _RELATIVE_PRONOUNS and v.dep_ == "relcl" and v.head.pos_ in ("NOUN", "PROPN"):
            sb = v.head
        out.append(sb)
    return out


def _negated(doc: Doc, start: int) -> bool:
    """Whether a match is preceded by "anti-" ("anti-Houthi", "anti - Taliban")."""
    if start >= 2 and doc[start - 1].text == "-" and doc[start - 2].lower_ == "anti":
        return True
    return start >= 1 and doc[start - 1].lower_ in ("anti-", "anti")


def _adjacent_subject(verb: Token) -> list[Token]:
    """The noun phrase ending right before a subjectless verb, read as its subject.

    After a place ("in Pachuca, Hidalgo, around 200 merchants protested") the parser often hangs the
    crowd on the place as an apposition; climb "of" chains to the phrase's head ("workers of a hospital").
    """
    if verb.i == 0 or any(c.dep_ in ("nsubjpass", "expl") for c in verb.children):
        return []
    tok = verb.doc[verb.i - 1]
    if tok.pos_ not in ("NOUN", "PROPN") or tok.sent != verb.sent:
        return []
    while (
        tok.dep_ == "pobj" and tok.head.dep_ == "prep" and tok.head.lower_ == "of" and tok.head.head.i < tok.i
    ):
        tok = tok.head.head
    return [tok] if tok.pos_ in ("NOUN", "PROPN") else []


def _armed_subject(subject: Token, armed_mods: frozenset) -> bool:
    return any(c.lower_ in armed_mods for c in subject.children if c.dep_ in ("amod", "compound", "advmod"))


def _of_country(head: Token) -> list[Token]:
    """Tokens of an "of <Country>" complement: "the army of Nigeria", "forces of the Kabul government"."""
    out: list[Token] = []
    for child in head.rights:
        if child.dep_ == "prep" and child.lower_ in ("of", "from"):
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    out.extend(t for t in pobj.subtree if not t.is_punct)
    return out


@lru_cache(maxsize=1)
def get_resolver() -> ActorResolver:
    """The process-wide resolver (the YAML is read and the matchers built once)."""
    return ActorResolver()


def state_forces(
    country: str, force: str = "military", *, on: date | None = None, context: str | None = None
) -> Actor:
    """ACLED's name for a country's military or police on a date (see `ActorResolver.state_forces`)."""
    return get_resolver().state_forces(country, force, on=on, context=context)


def find_actors(
    span: Doc | Span,
    *,
    country: str | None,
    main_actor: Actor | None,
    on: date | None = None,
) -> list[ActorMention]:
    """Actor mentions in a parsed span (named aliases and generic head nouns), with document char offsets.

    Speaker phrases ("a Taliban spokesman") are returned too; the assembler picks agents by syntax.
    """
    return get_resolver().find(span, country=country, main_actor=main_actor, on=on)


def main_actor(doc: Doc | Span, country: str | None, on: date | None = None) -> Actor | None:
    """The named non-state armed actor mentioned most often in the document (ties: the first mentioned)."""
    counts: Counter[str] = Counter()
    first: dict[str, Actor] = {}
    for m in get_resolver().find(doc, country=country, main_actor=None, on=on):
        a = m.actor
        if a is None or a.inter not in NONSTATE_ARMED or a.name.startswith(("Unidentified", "Protesters")):
            continue
        counts[a.name] += 1
        first.setdefault(a.name, a)
    if not counts:
        return None
    top = max(counts.values())
    return next(a for n, a in first.items() if counts[n] == top)
