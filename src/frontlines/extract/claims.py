"""Aggregate claims: control shares, district counts, casualty totals, revenue, people freed or fled.

A claim is a statement about a total, not an event: "the Taliban claim to control 85 percent of the
territory", "at least 150 of roughly 400 districts", "703 security forces and 208 civilians were killed in
June". `find_claims(sentence, ...)` reads one sentence (a spaCy `Span`) and returns `Claim` records whose
every field keeps the character span it came from.

How it reads a sentence (rules, no model; the words live in `data/claims.yaml`):
1. Figures: digits, number words, fractions ("one-third to one-half" -> 33.3..50 percent), money, with
   the hedge before them ("at least", "roughly") and an "of N" / "out of N" after them. Counts of people,
   districts etc. are read by `frontlines.extract.numbers.parse_quantity`, so claims and events code
   hedges alike ("roughly" -> "about"; "nearly 300" -> 299, ACLED's lowest credible figure); shares
   and money keep the stated figure ("nearly half" -> 50 percent, qualifier "nearly").
2. What a figure counts is the noun right after it ("150 of roughly 400 *districts*", "85 percent of the
   *country*"); an elliptical figure ("201 are contested") takes the noun of the figure before it, and a
   share without its own noun ("put it at one-third to one-half") takes the metric of the share before it.
3. The metric follows from that noun and the words around it (control / contested / government status,
   killed / wounded, fled, freed, revenue).
4. Claimant: the speaker of the nearest speech verb before the figure ("the Taliban claim", "other
   assessments put the figure at"), else a trailing one (", Tajik officials said", "according to ...").
   Unattributed statements belong to the publication: claimant = `doc.source`, else "the publication".
5. Certainty: "claimed" for a party's word (or an unknown speaker), "reported" for the publication or an
   independent monitor (UNAMA, the UN, analysts' counts), "disputed" when another figure for the same
   metric in the same or a neighbouring sentence does not overlap it.
6. Time: a period phrase ("in June", "since May 1", "in the first six months of the year", "this year")
   resolves against `published` into period_start/period_end, through `frontlines.extract.dates.resolve`
   where it answers; it declines windows longer than a month (events never span them), so year-scale
   periods are resolved here. `as_of` is the publication date for stock figures (who controls what) and
   for any figure stated in the present tense ("the crossing collects ..."); a stock figure with a past
   period ("in April the group held 77 districts") is as of the period's end; past-tense totals carry
   only their period.

Not claims: a casualty count tied to one incident ("a roadside bomb killed three soldiers"), totals with
no period or aggregate wording, history ("in 1996 the Taliban controlled 90 percent") and rhetoric with
no figure.
"""

from __future__ import annotations

import calendar
import math
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from spacy.tokens import Span

from frontlines.extract.dates import resolve as resolve_date
from frontlines.extract.numbers import parse_quantity
from frontlines.nlp import ents_in, span_text
from frontlines.records import Claim, Document, Evidence, stable_id
from frontlines.resources import load_yaml

__all__ = ["find_claims", "PUBLICATION"]

# Claimant of an unattributed statement when the document names no source.
PUBLICATION = "the publication"

_CONTROL_METRICS = {
    "territory_share",
    "border_share",
    "districts_controlled",
    "border_crossings_controlled",
    "provincial_capitals_controlled",
}
# Counts of who holds what describe a state at publication time (as_of), not a flow over a period.
_STOCK_METRICS = _CONTROL_METRICS | {"districts_contested", "districts_government"}
_CASUALTY_METRICS = {"fatalities", "injuries", "casualties"}
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
_MONTHS.update({m.lower(): i for i, m in enumerate(calendar.month_abbr) if m})
_MONTHS["sept"] = 9
_MONTH_RE = r"(?:" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"
_NUMTOK = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"


# --------------------------------------------------------------------------------------------- lexicon
def _alt(phrases: list[str] | dict[str, Any]) -> str:
    """A regex alternation of phrases, longest first, whitespace-tolerant."""
    items = sorted(phrases, key=len, reverse=True)
    return "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in items)


def _words(phrases: list[str]) -> re.Pattern[str]:
    return re.compile(r"(?<![\w-])(?:" + _alt(phrases) + r")(?![\w-])", re.I)


@dataclass(frozen=True, slots=True)
class _Lexicon:
    raw: dict[str, Any]
    figure: re.Pattern[str]
    qualifier_before: re.Pattern[str]
    of_after: re.Pattern[str]
    things: list[tuple[str, re.Pattern[str]]]
    status: re.Pattern[str]
    status_kind: dict[str, str]
    control: re.Pattern[str]
    categories: list[tuple[str, re.Pattern[str]]]
    outcome: re.Pattern[str]
    outcome_kind: dict[str, str]
    fled: re.Pattern[str]
    freed: re.Pattern[str]
    revenue: re.Pattern[str]
    rate: re.Pattern[str]
    rate_word: re.Pattern[str]
    speech: set[str]
    claimants: list[tuple[re.Pattern[str], str, str]]
    party: re.Pattern[str]
    monitor: re.Pattern[str]
    generic_actor: re.Pattern[str]
    actors: list[tuple[str, re.Pattern[str]]]
    aggregate: re.Pattern[str]
    day: re.Pattern[str]
    abroad: re.Pattern[str]
    trigger_singular: re.Pattern[str]
    historical: re.Pattern[str]
    modal: re.Pattern[str]
    current: re.Pattern[str]


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    raw = load_yaml("claims.yaml")
    numwords = {**raw["number_words"], **raw["vague_numbers"]}
    scale = _alt(raw["scales"])
    figure = re.compile(
        r"(?<![\w$.,-])(?:"
        rf"(?P<money>(?:US\s?)?\$\s?(?:{_NUMTOK})(?:\s*(?:{scale}|[mb]n?)\b)?)"
        rf"|(?P<frac>{_alt(raw['fractions'])})(?![\w-])"
        rf"|(?P<num>(?:{_NUMTOK})(?![\w.,]?\d)|(?:{_alt(numwords)})(?![\w-]))"
        rf"(?P<scale>\s+(?:{scale})\b)?"
        r"(?P<pct>\s*(?:percent\b|per\s+cent\b|%))?"
        r"(?P<dollars>\s+(?:US\s+)?dollars\b)?"
        r")",
        re.I,
    )
    things = [(name, _thing_re(phrases)) for name, phrases in raw["things"].items()]
    status_kind = {p.lower(): kind for kind, ps in raw["status"].items() for p in ps}
    outcome_kind = {p.lower(): kind for kind, ps in raw["outcomes"].items() for p in ps}
    trig = _alt(raw["event_triggers"])
    return _Lexicon(
        raw=raw,
        figure=figure,
        qualifier_before=re.compile(r"(?<![\w-])(?P<q>" + _alt(raw["qualifiers"]) + r")\s+$", re.I),
        of_after=re.compile(
            r"^\s+(?:out\s+)?of\s+(?:(?:the|its|their|all)\s+)?"
            r"(?:(?:country|nation|afghanistan)(?:'s|’s)\s+)?"
            r"(?P<fig>(?:(?P<q>" + _alt(raw["qualifiers"]) + r")\s+)?(?P<n>" + _NUMTOK + r"))(?![\w.,]?\d)",
            re.I,
        ),
        things=things,
        status=_words([p for ps in raw["status"].values() for p in ps]),
        status_kind=status_kind,
        control=_words(raw["control_words"]),
        categories=[(name, _words(ps)) for name, ps in raw["categories"].items()],
        outcome=_words([p for ps in raw["outcomes"].values() for p in ps]),
        outcome_kind=outcome_kind,
        fled=_words(raw["fled_words"]),
        freed=_words(raw["freed_words"]),
        revenue=_words(raw["revenue_words"]),
        rate_word=_words(list(raw["rate_units"])),
        rate=re.compile(r"^\s*(?P<r>" + _alt(raw["rate_units"]) + r")(?![\w-])", re.I),
        speech={w.lower() for w in raw["speech_verbs"]},
        claimants=[(re.compile(c["match"], re.I), c["name"], c["kind"]) for c in raw["claimants"]],
        party=_words(raw["party_words"]),
        monitor=_words(raw["monitor_words"]),
        generic_actor=_words(raw["generic_actor_words"]),
        actors=[(name, _words(ps)) for name, ps in raw["actors"].items()],
        aggregate=_words(raw["aggregate_cues"]),
        day=re.compile(
            r"(?<![\w-])(?:"
            + _alt(raw["day_cues"])
            + r"|on\s+\d{1,2}\s+"
            + _MONTH_RE
            + r"|on\s+"
            + _MONTH_RE
            + r"\s+\d{1,2})(?![\w-])",
            re.I,
        ),
        abroad=_words(raw["abroad_words"]),
        # "a roadside bomb", "an attack", "Monday's blast": one incident.
        trigger_singular=re.compile(
            r"(?<![\w-])(?:a|an|the|one|this|that|single|[A-Z]\w+day's)\s+(?:[\w-]+\s+){0,2}?(?:"
            + trig
            + r")(?![\w-])",
            re.I,
        ),
        historical=_words(raw["historical_cues"]),
        # Case-sensitive: the modal "may", not the month "May".
        modal=re.compile(r"(?<![\w-])(?:" + _alt(raw["modal_cues"]) + r")(?![\w-])"),
        current=_words(raw["current_cues"]),
    )


def _thing_re(phrases: list[str]) -> re.Pattern[str]:
    # The counted noun comes right after the figure: "of the country's borders", "Afghan soldiers".
    return re.compile(
        r"^\s*(?:of\s+)?(?:(?:the|its|their|all|afghanistan's|afghanistan’s)\s+)?"
        r"(?:[\w'’-]+\s+){0,2}?(?P<t>" + _alt(phrases) + r")(?![\w-]|['’]s\b)",
        re.I,
    )


# --------------------------------------------------------------------------------------------- figures
@dataclass(slots=True)
class _Figure:
    start: int  # offsets into the sentence text; qualifier included
    end: int
    kind: str  # count | percent | money
    value: float
    low: float | None = None
    high: float | None = None
    qualifier: str | None = None
    vague: bool = False
    unit_in_span: bool = False
    of: float | None = None
    of_span: tuple[int, int] | None = None
    thing: str | None = None
    thing_span: tuple[int, int] | None = None
    category: str | None = None
    after: int = 0  # where the words after the figure (and its "of N") begin


def _atom_value(m: re.Match[str], lex: _Lexicon) -> tuple[str, float, bool] | None:
    raw = lex.raw
    if m.group("money"):
        txt = m.group("money")
        num = re.search(_NUMTOK, txt)
        if not num:
            return None
        v = float(num.group().replace(",", ""))
        sc = re.search(r"(?i)(thousand|million|billion|bn|mn|m|b)\s*$", txt)
        if sc:
            word = sc.group(1).lower()
            v *= {"m": 1e6, "mn": 1e6, "b": 1e9, "bn": 1e9}.get(word) or raw["scales"][word]
        return "money", v, False
    if m.group("frac"):
        key = re.sub(r"\s+", " ", m.group("frac").lower())
        return "percent", float(raw["fractions"][key]), False
    txt = re.sub(r"\s+", " ", m.group("num").lower())
    vague = txt in raw["vague_numbers"]
    if txt in raw["number_words"] or vague:
        v = float(raw["number_words"].get(txt) or raw["vague_numbers"][txt])
    else:
        v = float(txt.replace(",", ""))
    if m.group("scale"):
        v *= raw["scales"][m.group("scale").strip().lower()]
    if m.group("dollars"):
        return "money", v, vague
    return ("percent" if m.group("pct") else "count"), v, vague


def _qualifier_before(text: str, start: int, lex: _Lexicon) -> tuple[int, str | None]:
    m = lex.qualifier_before.search(text[max(0, start - 30) : start])
    if not m:
        return start, None
    q = re.sub(r"\s+", " ", m.group("q").lower())
    return start - (len(text[max(0, start - 30) : start]) - m.start()), lex.raw["qualifiers"][q]


def _figures(text: str, lex: _Lexicon) -> list[_Figure]:
    """Figures in a sentence, ranges merged, hedges and "of N" attached."""
    atoms: list[tuple[re.Match[str], str, float, bool]] = []
    for m in lex.figure.finditer(text):
        got = _atom_value(m, lex)
        if got is None:
            continue
        kind, value, vague = got
        if m.group("frac") and "-" not in m.group("frac"):
            # Spaced fractions count only as "a third of ...", never "first half of the year".
            # ... or as the first end of a range: "between a third and a half of the country".
            if not re.match(
                r"\s+(?:of\b|(?:and|to)\s+(?:a|one|two|three)[\s-]+(?:third|half|quarter))",
                text[m.end() :],
                re.I,
            ):
                continue
            if re.search(r"(?i)\b(first|second|latter|former|other)\s+$", text[: m.start()]):
                continue
        if kind == "count" and m.group("num") and not m.group("scale"):
            tok = m.group("num")
            if tok.lower() == "one" and re.match(r"\s+of\b", text[m.end() :], re.I):
                continue  # "one of more than 50 fighters killed": the figure is 50

            # Years and days of the month are dates, not figures.
            if re.fullmatch(r"(19|20)\d\d", tok):
                continue
            if re.search(r"(?i)\b" + _MONTH_RE + r"\s+$", text[: m.start()]) or re.match(
                r"\s+" + _MONTH_RE + r"\b", text[m.end() :], re.I
            ):
                continue
            if re.match(r"\s*(?:-|–)?\s*(?:year|day|week|month|hour)s?\b", text[m.end() :], re.I):
                continue
        atoms.append((m, kind, value, vague))

    figs: list[_Figure] = []
    i = 0
    while i < len(atoms):
        m, kind, value, vague = atoms[i]
        start, qual = _qualifier_before(text, m.start(), lex)
        between = re.search(r"(?i)\bbetween\s+$", text[max(0, m.start() - 10) : m.start()])
        if between and qual is None:
            start = m.start() - (len(text[max(0, m.start() - 10) : m.start()]) - between.start())
        fig = _Figure(start, m.end(), kind, value, qualifier=qual, vague=vague)
        fig.unit_in_span = kind in ("percent", "money")
        if m.group("frac") and "majority" in m.group("frac").lower() and qual is None:
            fig.qualifier = "more than"
        if vague and qual is None:
            fig.qualifier = m.group("num").lower()
        # A range: "80 to 85 percent", "one-third to one-half", "between 40 and 50".
        if i + 1 < len(atoms):
            m2, kind2, value2, _ = atoms[i + 1]
            joiner = text[m.end() : m2.start()]
            pattern = r"\s*(?:to|-|–|—|and)\s*" if between else r"\s*(?:to|-|–|—)\s*"
            if re.fullmatch(pattern, joiner, re.I) and (kind == kind2 or kind == "count"):
                if kind == "money" and kind2 == "money" and value < 1000 <= value2:
                    value *= value2 / float(re.search(_NUMTOK, m2.group()).group().replace(",", ""))
                fig.kind = kind2
                fig.low, fig.high, fig.value = min(value, value2), max(value, value2), min(value, value2)
                fig.end = m2.end()
                fig.unit_in_span = kind2 in ("percent", "money")
                i += 1
        if fig.kind == "count":
            # Counts read the project's way (frontlines.extract.numbers): same hedges, same values as
            # events ("nearly 300" -> 299, the lowest credible figure). Shares and money are ours.
            q = parse_quantity(text[fig.start : fig.end])
            if q is not None and q.value is not None:
                fig.value = float(q.value)
                fig.low = float(q.low) if q.low is not None else None
                fig.high = float(q.high) if q.high is not None else None
                fig.qualifier = q.qualifier or (fig.qualifier if q.vague else None)
        fig.after = fig.end
        of = lex.of_after.match(text[fig.end :])
        if of:
            fig.of = float(of.group("n").replace(",", ""))
            fig.of_span = (fig.end + of.start("fig"), fig.end + of.end("fig"))
            fig.after = fig.end + of.end()
            # The "of N" figure is part of this one: skip its atom.
            while i + 1 < len(atoms) and atoms[i + 1][0].start() < fig.after:
                i += 1
        figs.append(fig)
        i += 1
    return figs


def _find_thing(text: str, fig: _Figure, lex: _Lexicon) -> None:
    window = re.split(r"[,;:.()]|\s(?:and|but|while|whereas|according)\s", text[fig.after :], maxsplit=1)[0]
    for name, rx in lex.things:
        m = rx.match(window)
        if m:
            fig.thing = name
            fig.thing_span = (fig.after + m.start("t"), fig.after + m.end("t"))
            if name in ("personnel", "victims"):
                for cat, crx in lex.categories:
                    if crx.fullmatch(m.group("t")):
                        fig.category = cat
                        break
            return


# --------------------------------------------------------------------------------------------- claimants
@dataclass(slots=True)
class _Attribution:
    start: int  # the speaker phrase, sentence-relative
    end: int
    anchor: int  # where the speech verb (or "according to") is
    name: str | None
    kind: str  # party | monitor | unknown


_NP_POS = {"DET", "ADJ", "PROPN", "NOUN", "PART"}
_NP_LINK = {"of", "for", "'s", "’s"}
_REFERENCE = re.compile(
    r"(?i)\b(?:put|puts|estimates?d?|closer\s+to|figure|number|total|toll|tally"
    r"|(?:rose|risen|rising|climbed|jumped|increased|grew|soared)\s+to|reached|stood\s+at|stands\s+at)\b"
)
_CLAUSE_BREAK = re.compile(
    r"(?i)[;(]|\b(?:while|but|whereas|although|however|said|says|say|according|claimed|claims)\b"
)
# A comma ends the figure's clause unless a list of figures goes on ("1,000 soldiers, 500 civilians and ...").
_COMMA_BREAK = re.compile(r",(?!\s*(?:and\s+)?(?:\d|(?:at\s+least|more\s+than|about|nearly|some|over)\b))")
_PRONOUN = re.compile(r"(?i)\b(?:it|they|we)\b")
_REF_NOUNS = r"(?:it|the\s+figure|the\s+number|the\s+total|the\s+toll|the\s+share|that\s+figure|the\s+count)"


def _np_before(toks: list[Any], i: int) -> tuple[int, int] | None:
    """Token range of the noun phrase ending just before token i (adverbs/auxiliaries skipped)."""
    j = i - 1
    while j >= 0 and (toks[j].pos_ in ("ADV", "AUX") or toks[j].lower_ in ("also", "now", "have", "has")):
        j -= 1
    end = j + 1
    while j >= 0 and (toks[j].pos_ in _NP_POS or toks[j].lower_ in _NP_LINK or toks[j].lower_ == "one"):
        j -= 1
    start = j + 1
    while start < end and toks[start].lower_ in _NP_LINK:
        start += 1
    if start >= end or not any(t.pos_ in ("NOUN", "PROPN") for t in toks[start:end]):
        return None
    return start, end


def _np_after(toks: list[Any], i: int, limit: int = 8) -> tuple[int, int] | None:
    """Token range of the noun phrase starting at token i (stops at punctuation or a verb)."""
    j = i
    while j < len(toks) and j - i < limit and toks[j].pos_ not in ("PUNCT", "VERB", "AUX", "SCONJ"):
        j += 1
    if j == i or not any(t.pos_ in ("NOUN", "PROPN") for t in toks[i:j]):
        return None
    return i, j


def _attributions(span: Span, lex: _Lexicon, main_actor: str | None) -> list[_Attribution]:
    toks = list(span)
    base = span.start_char
    out: list[_Attribution] = []

    def add(rng: tuple[int, int], anchor_tok: Any, extra_end: int | None = None) -> None:
        a, b = rng
        s = toks[a].idx - base
        e = (extra_end if extra_end is not None else toks[b - 1].idx + len(toks[b - 1])) - base
        name, kind = _claimant_name(span_text(span)[s:e], lex, main_actor)
        out.append(_Attribution(s, e, anchor_tok.idx - base, name, kind))

    for i, tok in enumerate(toks):
        low = tok.lower_
        if low == "according" and i + 1 < len(toks) and toks[i + 1].lower_ == "to":
            rng = _np_after(toks, i + 2)
            if rng:
                add(rng, tok)
        elif low == "by" and i + 1 < len(toks):
            # "By one independent count, ..."; "by UN estimates"
            for j in range(i + 1, min(i + 6, len(toks))):
                if re.fullmatch(
                    r"counts?|estimates?|tall(?:y|ies)|assessments?|reckoning|figures", toks[j].lower_
                ):
                    add((i + 1, j + 1), tok)
                    break
                if toks[j].pos_ in ("PUNCT", "VERB"):
                    break
        elif low in lex.speech:
            after = span_text(span)[tok.idx + len(tok) - base :]
            if low == "put" and not re.match(
                r"\s+" + _REF_NOUNS + r"(?:\s+of\s+(?:[\w-]+\s+){0,3}?[\w-]+)?\s+at\b", after, re.I
            ):
                continue
            subj = _parsed_subject(tok, span)
            if subj == "pronoun":
                continue  # "he said": a speaker we cannot name
            rng = subj or _np_before(toks, i)
            if rng:
                if toks[rng[1] - 1].pos_ == "PRON":
                    continue
                add(rng, tok)
            elif i > 0 and toks[i - 1].is_punct:
                # Inverted: ", said Zabihullah Mujahid, a Taliban spokesman."
                rng = _np_after(toks, i + 1)
                if rng:
                    add(rng, tok)
    return out


_SUBJECT_DROP = {"acl", "relcl", "appos", "punct", "cc", "conj", "advcl"}


def _parsed_subject(verb: Any, span: Span) -> tuple[int, int] | str | None:
    """Span-relative token range of a speech verb's parsed subject, trimmed of clauses and appositions.

    "A UN report released on Monday said" -> "A UN report"; "a spokesman for the governor said" keeps
    the "for" phrase. "pronoun" for he/they; None without a parse (the caller falls back to the words
    before the verb).
    """
    subj = next((c for c in verb.children if c.dep_ in ("nsubj", "nsubjpass")), None)
    if subj is None or subj.i < span.start or subj.i >= span.end:
        return None
    if subj.pos_ == "PRON" and subj.tag_ != "NN":
        return "pronoun"
    keep = [subj.i]
    for child in subj.children:
        if child.dep_ in _SUBJECT_DROP:
            continue
        keep += [t.i for t in child.subtree]
    lo, hi = min(keep), max(keep) + 1
    # A dropped part inside the range (an apposition between kept words) ends it there.
    for child in subj.children:
        if child.dep_ in _SUBJECT_DROP and child.i > subj.i:
            hi = min(hi, child.left_edge.i)
    if hi <= subj.i:
        hi = subj.i + 1
    return lo - span.start, hi - span.start


def _claimant_name(phrase: str, lex: _Lexicon, main_actor: str | None) -> tuple[str | None, str]:
    for rx, name, kind in lex.claimants:
        if rx.search(phrase):
            return name, kind
    bare = re.sub(r"(?i)^(?:the|a|an)\s+", "", phrase.strip())
    if main_actor and (lex.generic_actor.fullmatch(bare) or lex.generic_actor.fullmatch(phrase.strip())):
        return main_actor, "party"  # "the insurgents claim ...": the article's main armed group
    clean = re.sub(r"(?i)^(?:the|a|an|one)\s+", "", phrase.strip())
    if lex.monitor.search(phrase) and not lex.party.search(phrase):
        return clean, "monitor"
    return clean, "party"


# --------------------------------------------------------------------------------------------- periods
@dataclass(slots=True)
class _Period:
    start: int
    end: int
    first: date | None
    last: date | None
    days: int | None = None  # its length, known even without a publication date for relative phrases


_NUMBER_WORDS_SMALL = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "few": 3, "several": 3, "couple of": 2, "a couple of": 2,
}  # fmt: skip
_N = r"(?P<n>\d+|" + _alt(list(_NUMBER_WORDS_SMALL)) + r")"
_YEAR_REF = r"(?:(?:the|this)\s+year|(?P<y>(?:19|20)\d\d))"
_PERIOD_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (name, re.compile(rx, re.I))
    for name, rx in [
        ("first_months", rf"\b(?:in|during|over|for)?\s*the\s+first\s+{_N}\s+months\s+of\s+{_YEAR_REF}"),
        ("first_half", rf"\b(?:in|during|over|for)?\s*the\s+first\s+half\s+of\s+{_YEAR_REF}"),
        (
            "since_year",
            r"\b(?:since\s+the\s+(?:start|beginning)\s+of\s+(?:the|this)\s+year|so\s+far\s+this\s+year"
            r"|this\s+year|year\s+to\s+date)\b",
        ),
        (
            "since_month",
            rf"\bsince\s+(?:(?:the\s+)?(?:start|beginning|end|middle)\s+of\s+|early\s+|mid-?\s*|late\s+)?"
            rf"(?P<m>{_MONTH_RE})(?:\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?)?(?:,?\s+(?P<y>(?:19|20)\d\d))?\b",
        ),
        (
            "between_months",
            rf"\b(?:between|in|during|over|throughout)\s+(?P<m>{_MONTH_RE})\s+and\s+(?P<m2>{_MONTH_RE})(?:,?\s+(?P<y>(?:19|20)\d\d))?\b",
        ),
        (
            "month",
            rf"\b(?:in|during|for|throughout|over)\s+(?:the\s+month\s+of\s+)?(?P<m>{_MONTH_RE})"
            rf"(?:,?\s+(?P<y>(?:19|20)\d\d))?\b(?!\s+\d)",
        ),
        ("last_month", r"\b(?:last|the\s+previous|the\s+past)\s+month\b"),
        ("this_month", r"\bthis\s+month\b"),
        ("this_week", r"\bthis\s+week\b"),
        ("last_year", r"\blast\s+year\b"),
        (
            "past_n",
            rf"\b(?:in|over|during|within)?\s*the\s+(?:past|last|previous)\s+(?:{_N}\s+)?"
            r"(?P<u>days|weeks|months|years|week|month|year)\b",
        ),
        ("past_week", r"\b(?:last|past)\s+week\b"),
        ("year", r"\b(?:in|during|for|throughout)\s+(?P<y>(?:19|20)\d\d)\b"),
    ]
]


_REFERENCE_DAY = date(2000, 7, 15)  # only to measure how long a relative period is
_LONG_PERIODS = {"first_months", "first_half", "since_year", "last_year", "year", "between_months"}


def _month_window(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _resolve_period(name: str, m: re.Match[str], published: date | None) -> tuple[date, date] | None:
    try:
        return _period_window(name, m, published)
    except (OverflowError, ValueError):
        return None  # a span that falls off the calendar ("the last 10000000000 weeks"): no period


def _period_window(name: str, m: re.Match[str], published: date | None) -> tuple[date, date] | None:
    gd = m.groupdict()
    year = int(gd["y"]) if gd.get("y") else (published.year if published else None)
    if year is None:
        return None
    n = gd.get("n")
    count = (int(n) if n.isdigit() else _NUMBER_WORDS_SMALL[re.sub(r"\s+", " ", n.lower())]) if n else 1
    pub = published
    if name == "first_months":
        return date(year, 1, 1), _month_window(year, min(max(count, 1), 12))[1]
    if name == "first_half":
        return date(year, 1, 1), date(year, 6, 30)
    if name == "year":
        last = date(year, 12, 31)
        return date(year, 1, 1), min(last, pub) if pub and pub.year == year else last
    if pub is None:
        return None
    if name == "since_year":
        return date(pub.year, 1, 1), pub
    if name in ("since_month", "month", "between_months"):
        month = _MONTHS[gd["m"].lower().rstrip(".")]
        if not gd.get("y") and month > pub.month:
            year -= 1  # "in September" read in July means last September
        if name == "since_month":
            day = int(gd["d"]) if gd.get("d") else 1
            try:
                return date(year, month, day), pub
            except ValueError:
                return None
        first, last = _month_window(year, month)
        if name == "between_months":
            last = _month_window(year, _MONTHS[gd["m2"].lower().rstrip(".")])[1]
        return first, (min(last, pub) if last >= pub >= first else last)
    if name == "last_month":
        prev = pub.replace(day=1) - timedelta(days=1)
        return _month_window(prev.year, prev.month)
    if name == "this_month":
        return pub.replace(day=1), pub
    if name == "this_week":
        return pub - timedelta(days=pub.weekday()), pub
    if name == "last_year":
        return date(pub.year - 1, 1, 1), date(pub.year - 1, 12, 31)
    if name == "past_week":
        return pub - timedelta(days=7), pub
    if name == "past_n":
        unit = gd["u"].lower().rstrip("s")
        days = {"day": 1, "week": 7, "month": 30, "year": 365}[unit] * count
        return pub - timedelta(days=days), pub
    return None


def _periods(text: str, published: date | None) -> list[_Period]:
    out: list[_Period] = []
    taken: list[tuple[int, int]] = []
    for name, rx in _PERIOD_PATTERNS:
        for m in rx.finditer(text):
            s, e = m.start(), m.end()
            while s < e and text[s].isspace():
                s += 1
            if any(s < te and ts < e for ts, te in taken):
                continue
            # The project's date resolver first; it declines windows longer than a month (events never
            # span them), which totals often do ("in the first six months of the year"): those are ours.
            found = None if name in _LONG_PERIODS else resolve_date(text[s:e], published)
            window = (found.earliest, found.latest) if found else _resolve_period(name, m, published)
            taken.append((s, e))
            # Length from a stand-in reference date when there is no publication date.
            measured = window or _resolve_period(name, m, published or _REFERENCE_DAY)
            days = (measured[1] - measured[0]).days if measured else None
            out.append(_Period(s, e, *(window or (None, None)), days))
    return sorted(out, key=lambda p: p.start)


# --------------------------------------------------------------------------------------------- assembly
@dataclass(slots=True)
class _Draft:
    metric: str
    figs: list[_Figure]
    unit: str
    rate_span: tuple[int, int] | None = None
    inherited: bool = False


def _clause_before(text: str, start: int, floor: int) -> tuple[int, str]:
    """Text from the last clause break (or `floor`) to `start`."""
    seg = text[floor:start]
    cut = 0
    for m in re.finditer(r"[,;:]|\s(?:but|while|whereas)\s", seg):
        cut = m.end()
    return floor + cut, seg[cut:]


def _clause_after(text: str, pos: int, ceiling: int) -> str:
    seg = text[pos:ceiling]
    return re.split(r"[,;:]|\s(?:but|while|whereas|according)\s", seg, maxsplit=1)[0]


def _nearest(rx: re.Pattern[str], seg: str, *, last: bool) -> re.Match[str] | None:
    ms = list(rx.finditer(seg))
    if not ms:
        return None
    return ms[-1] if last else ms[0]


def _holder(clause: str, lex: _Lexicon) -> str | None:
    """Which side the last actor named in a clause is: "state" (the government) or "nonstate"."""
    best: tuple[int, str] | None = None
    for k, (_, rx) in enumerate(lex.actors):
        for m in rx.finditer(clause):
            if best is None or m.start() > best[0]:
                best = (m.start(), "nonstate" if k == 0 else "state")
    for m in lex.generic_actor.finditer(clause):
        if best is None or m.start() > best[0]:
            best = (m.start(), "nonstate")
    return best[1] if best else None


def _status(text: str, fig: _Figure, floor: int, ceiling: int, lex: _Lexicon) -> str | None:
    m = _nearest(lex.status, _clause_after(text, fig.after, ceiling), last=False)
    if m is None:
        m = _nearest(lex.status, _clause_before(text, fig.start, floor)[1], last=True)
    if m is None:
        return None
    return lex.status_kind.get(re.sub(r"\s+", " ", m.group().lower()))


def _drafts(
    text: str, figs: list[_Figure], lex: _Lexicon, context_metrics: list[tuple[str, str]]
) -> list[_Draft]:
    """Decide each figure's metric; casualty figures of one outcome are grouped into one draft."""
    drafts: list[_Draft] = []
    casualty: dict[str, _Draft] = {}
    prev: _Figure | None = None
    context_metrics = list(context_metrics)  # grows with this sentence's own drafts
    has_control = bool(lex.control.search(text))
    for k, fig in enumerate(figs):
        floor = figs[k - 1].after if k else 0
        ceiling = figs[k + 1].start if k + 1 < len(figs) else len(text)
        _find_thing(text, fig, lex)
        # Elliptical figure: "104 districts are under Taliban control, 201 are contested".
        if fig.thing is None and prev is not None and prev.thing and fig.kind == prev.kind:
            follow = text[fig.after : fig.after + 25]
            if re.match(
                r"\s*(?:$|[,.;]|(?:are|were|is|was|remain|remained|have|had|more|others?|wounded|injured|killed|dead)\b)",
                follow,
                re.I,
            ) and not _REFERENCE.search(_clause_before(text, fig.start, floor)[1]):
                fig.thing = prev.thing
                fig.category = fig.category or prev.category
        metric: str | None = None
        separate = False
        unit = {"percent": "percent", "money": "USD"}.get(fig.kind, "")
        inherited = False
        status = None
        if fig.thing in ("districts", "provincial_capitals", "border_crossings"):
            status = _status(text, fig, floor, ceiling, lex)
            if status == "controlled" and _holder(_clause_before(text, fig.start, floor)[1], lex) == "state":
                status = "government"  # "while the government holds 100 districts"
            if fig.thing == "districts" and status:
                metric = {"controlled": "districts_controlled", "contested": "districts_contested"}.get(
                    status, "districts_government"
                )
            elif status == "controlled":
                metric = f"{fig.thing}_controlled"
            unit = unit or fig.thing.replace("_", " ")
            if metric and fig.kind == "count" and fig.of is None and fig.value <= 3:
                metric = None  # "captured two districts" is an event, not a tally
        elif fig.kind == "percent" and fig.thing in ("territory", "borders"):
            shared = "territory_share" if fig.thing == "territory" else "border_share"
            if has_control or (shared, "percent") in context_metrics:
                metric = shared
        elif fig.kind == "percent" and fig.thing is None:
            # "put it at one-third to one-half", "they hold 85 percent": the share named just before.
            shares = [m for m, u in context_metrics if u == "percent"]
            clause = _clause_before(text, fig.start, floor)[1]
            if shares and (_REFERENCE.search(clause) or lex.control.search(clause)):
                metric, inherited = shares[-1], True
        elif fig.kind == "count" and fig.thing is None:
            # "the ministry put the number of dead at 800", "others put the figure at 120"
            clause = _clause_before(text, fig.start, floor)[1]
            if _REFERENCE.search(clause):
                died = _nearest(lex.outcome, clause, last=True)
                counts = [m for m, u in context_metrics if u != "percent" and m not in _CASUALTY_METRICS]
                if died:
                    metric = lex.outcome_kind.get(re.sub(r"\s+", " ", died.group().lower()))
                    unit, inherited, separate = "people", True, True
                    # "Civilian deaths rose to 1,659": the category named with the outcome.
                    fig.category = next((cat for cat, crx in lex.categories if crx.search(clause)), None)
                elif counts:
                    metric, inherited = counts[-1], True
                    unit = dict(context_metrics)[metric]
        elif fig.kind == "count" and fig.thing in ("personnel", "victims", "prisoners"):
            # The outcome verb belongs to the figure's own clause, not a later one.
            rest = text[fig.after : fig.after + 90]
            brk = _CLAUSE_BREAK.search(rest) or _COMMA_BREAK.search(rest)
            rest = rest[: brk.start()] if brk else rest
            before = text[max(floor, fig.start - 25) : fig.start]
            pre = _nearest(lex.outcome, before, last=True)
            if pre and before[pre.end() :].strip():
                pre = None  # only a verb right before the figure: "killing at least 300"
            pre_moved = [
                (kind, m)
                for kind, rx in (("fled", lex.fled), ("freed", lex.freed))
                if (m := _nearest(rx, before, last=True)) and not before[m.end() :].strip()
            ]
            candidates = [
                (m.start(), kind, m)
                for kind, rx in (("outcome", lex.outcome), ("fled", lex.fled), ("freed", lex.freed))
                if (m := rx.search(rest))
            ]
            if pre:
                kind_word = re.sub(r"\s+", " ", pre.group().strip().lower())
                metric = lex.outcome_kind.get(kind_word)
            elif candidates or pre_moved:
                pos, kind, m = (0, *pre_moved[0]) if pre_moved else min(candidates, key=lambda c: c[0])
                if kind == "outcome" and fig.thing != "prisoners":
                    metric = lex.outcome_kind.get(re.sub(r"\s+", " ", m.group().lower()))
                elif kind == "fled" and fig.category == "security forces":
                    metric = "personnel_fled"
                elif kind == "freed" and fig.thing == "prisoners":
                    metric = "prisoners_freed"
            unit = "people"
        elif fig.kind == "money" and lex.revenue.search(text):
            metric = "revenue"
            rate = lex.rate.match(text[fig.after :])
            rate_span = (fig.after + rate.start("r"), fig.after + rate.end("r")) if rate else None
            if rate is None:
                # "monthly customs income at $4 million": the rate named before the figure.
                start, clause = _clause_before(text, fig.start, floor)
                before = _nearest(lex.rate_word, clause, last=True)
                if before:
                    rate_span = (start + before.start(), start + before.end())
            if rate_span:
                word = re.sub(r"\s+", " ", text[rate_span[0] : rate_span[1]].lower())
                unit = lex.raw["rate_units"][word]
                drafts.append(_Draft(metric, [fig], unit, rate_span))
                prev = fig
                continue
        if fig.thing is not None or fig.kind != "count":
            prev = fig
        if metric is None:
            continue
        if lex.modal.search(_clause_before(text, fig.start, floor)[1]) or lex.modal.search(
            _clause_after(text, fig.after, ceiling)
        ):
            continue  # "the Taliban could take half the country by September" is a projection
        context_metrics.append((metric, unit))
        if metric in _CASUALTY_METRICS:
            group = casualty.get(metric)
            # "703 security forces and 208 civilians were killed" is one total; a second source's
            # figure ("..., while the ministry put the number of dead at 800") is another claim.
            if group and not separate and not _CLAUSE_BREAK.search(text[group.figs[-1].end : fig.start]):
                group.figs.append(fig)
            else:
                casualty[metric] = _Draft(metric, [fig], "people", inherited=inherited)
                drafts.append(casualty[metric])
            continue
        drafts.append(_Draft(metric, [fig], unit, inherited=inherited))
    return drafts


def _is_historical(text: str, pos: int, published: date | None, lex: _Lexicon) -> bool:
    """History near the figure and no present-tense marker closer to it."""
    markers = [m.start() for m in lex.historical.finditer(text)]
    threshold = (published.year - 2) if published else 2002
    for m in re.finditer(r"(?<![\w$,.])(?:19|20)\d\d(?![\w,.]?\d)", text):
        if int(m.group()) < threshold:
            markers.append(m.start())
    if not markers:
        return False
    nearest = min(abs(m - pos) for m in markers)
    current = [abs(m.start() - pos) for m in lex.current.finditer(text)]
    return not current or min(current) > nearest


_SIDE_CLAUSES = {"relcl", "acl", "advcl", "appos", "parataxis", "pcomp"}


def _token_at(span: Span, rel: int) -> Any | None:
    pos = span.start_char + rel
    return next((t for t in span if t.idx <= pos < t.idx + len(t)), None)


def _detached(span: Span, a: int, b: int) -> bool:
    """Whether the words at offset a sit in a side clause that does not hold offset b.

    "The Taliban, who launched their offensive in May, now claim 85 percent": "in May" dates the
    offensive, not the share. Without a parse nothing is detached.
    """
    ta, tb = _token_at(span, a), _token_at(span, b)
    if ta is None or tb is None:
        return False
    for anc in (ta, *ta.ancestors):
        if anc.dep_ not in _SIDE_CLAUSES:
            continue
        # A clause modifying the counted noun ("300 civilians killed since May") still dates the figure.
        scope = anc.head if anc.dep_ in ("acl", "relcl") else anc
        if not (scope.left_edge.i <= tb.i <= scope.right_edge.i):
            return True
    return False


def _present_tense(span: Span, lex: _Lexicon) -> bool:
    """A present-tense verb other than the attribution's ("says"), or "now"."""
    return any((t.tag_ in ("VBZ", "VBP") and t.lower_ not in lex.speech) or t.lower_ == "now" for t in span)


@dataclass(slots=True)
class _Context:
    doc: Document
    published: date | None
    main_actor_name: str | None
    country: str | None


def _neighbour(span: Span, side: int) -> Span | None:
    """The sentence before (side -1) or after (+1) a sentence; None at the edges or without sentences."""
    doc = span.doc
    if not (doc.has_annotation("SENT_START") or doc.has_annotation("DEP")):
        return None
    if side < 0:
        return doc[span.start - 1].sent if span.start > 0 else None
    return doc[span.end].sent if span.end < len(doc) else None


def _sentence_claims(span: Span, ctx: _Context, lex: _Lexicon, *, inherit: bool) -> list[Claim]:
    """Claims of one sentence before dispute marking (cached on the parsed doc)."""
    cache = span.doc.user_data.setdefault("frontlines.claims", {})
    key = (span.start, span.end, inherit, ctx.doc.id, ctx.published, ctx.main_actor_name, ctx.country)
    if key in cache:
        return cache[key]
    text = span_text(span)
    figs = _figures(text, lex)
    claims: list[Claim] = []
    if figs:
        context: list[tuple[str, str]] = []
        if inherit and (prev := _neighbour(span, -1)) is not None:
            context = [
                (c.metric or "", c.unit or "") for c in _sentence_claims(prev, ctx, lex, inherit=False)
            ]
        drafts = _drafts(text, figs, lex, context)
        if drafts:
            claims = _build(span, drafts, ctx, lex)
    cache[key] = claims
    return claims


def _build(span: Span, drafts: list[_Draft], ctx: _Context, lex: _Lexicon) -> list[Claim]:
    text = span_text(span)
    base = span.start_char
    doc = ctx.doc
    attributions = _attributions(span, lex, ctx.main_actor_name)
    periods = _periods(text, ctx.published)
    present = _present_tense(span, lex)
    aggregate = bool(lex.aggregate.search(text))
    single_incident = bool(lex.trigger_singular.search(text))
    one_day = bool(lex.day.search(text))
    out: list[Claim] = []
    for d in drafts:
        first = d.figs[0]
        if _is_historical(text, first.start, ctx.published, lex):
            continue
        period = min(
            (p for p in periods if not _detached(span, p.start, first.start)),
            key=lambda p: abs(p.start - first.start),
            default=None,
        )
        if d.metric in _CASUALTY_METRICS or d.metric == "prisoners_freed":
            # Totals need a period or aggregate wording; one incident's (or one day's) toll is an event.
            if period is None and (not aggregate or one_day):
                continue
            if single_incident and not aggregate:
                continue
            if period and period.days is not None and period.days < 6 and not aggregate:
                continue  # "during the past two days" in one district: ACLED splits that into events
        if d.metric == "personnel_fled" and not (period or aggregate or lex.abroad.search(text[first.end :])):
            continue
        evidence: list[Evidence] = []
        fig_fields = ["value"] + (["qualifier"] if first.qualifier else [])
        if first.low is not None:
            fig_fields += ["low", "high"]
        if first.unit_in_span:
            fig_fields.append("unit")
        categories: dict[str, int] | None = None
        if not math.isfinite(sum(f.value for f in d.figs)):
            continue  # "1e308 soldiers" (twice): no count of anything
        if d.metric in _CASUALTY_METRICS:
            cats: dict[str, int] = {}
            for f in d.figs:
                if f.category:
                    cats[f.category] = cats.get(f.category, 0) + int(f.value)
            categories = cats or None
            value = float(sum(f.value for f in d.figs))
            qualifier = next((f.qualifier for f in d.figs if f.qualifier), None)
            low, high = (first.low, first.high) if len(d.figs) == 1 else (None, None)
            for f in d.figs:
                fields = (
                    ["value"]
                    + (["qualifier"] if f.qualifier else [])
                    + (["categories"] if f.category else [])
                )
                if f.low is not None and len(d.figs) == 1:
                    fields += ["low", "high"]
                evidence.append(Evidence.of(doc, base + f.start, base + f.end, fields))
                if f.thing_span and f.category:
                    evidence.append(
                        Evidence.of(doc, base + f.thing_span[0], base + f.thing_span[1], ["categories"])
                    )
        else:
            value, low, high, qualifier = first.value, first.low, first.high, first.qualifier
            evidence.append(Evidence.of(doc, base + first.start, base + first.end, fig_fields))
            if first.of_span:
                evidence.append(Evidence.of(doc, base + first.of_span[0], base + first.of_span[1], ["of"]))
            if first.thing_span and not first.unit_in_span:
                evidence.append(
                    Evidence.of(doc, base + first.thing_span[0], base + first.thing_span[1], ["unit"])
                )
        if d.rate_span:
            evidence.append(Evidence.of(doc, base + d.rate_span[0], base + d.rate_span[1], ["unit"]))

        # Claimant: nearest speech verb before the figure, else the first one after it.
        before = [a for a in attributions if a.anchor < first.start]
        after = [a for a in attributions if a.anchor >= first.end]
        attr = (
            max(before, key=lambda a: a.anchor)
            if before
            else (min(after, key=lambda a: a.anchor) if after else None)
        )
        if attr is not None:
            claimant, kind = attr.name, attr.kind
            evidence.append(Evidence.of(doc, base + attr.start, base + attr.end, ["claimant"]))
        else:
            claimant, kind = (doc.source or PUBLICATION), "publication"
        certainty = "claimed" if kind == "party" else "reported"

        subject, subject_span = _subject(text, span, d.metric, first, ctx, lex, claimant)
        if subject_span:
            evidence.append(Evidence.of(doc, base + subject_span[0], base + subject_span[1], ["subject"]))

        period_start = period_end = None
        if period is not None:
            evidence.append(
                Evidence.of(doc, base + period.start, base + period.end, ["period_start", "period_end"])
            )
            if period.first and period.last:
                period_start, period_end = period.first.isoformat(), period.last.isoformat()
        as_of = None
        if d.metric in _STOCK_METRICS and period_end:
            as_of = period_end  # "in April the group held 77 districts": the state then
        elif ctx.published and (d.metric in _STOCK_METRICS or present):
            as_of = ctx.published.isoformat()
        sent_fields = ["metric"] + (["as_of"] if as_of else [])
        s, e = _strip(text)
        evidence.append(Evidence.of(doc, base + s, base + e, sent_fields))

        confidence = 0.6 + (0.1 if attr is not None else 0.0) + (0.1 if first.thing_span else 0.0)
        confidence -= 0.2 if d.inherited else 0.0
        unit = d.unit
        out.append(
            Claim(
                doc_id=doc.id,
                claim_id=stable_id(doc.id, d.metric, base + first.start, base + first.end, prefix="clm-"),
                claimant=claimant,
                subject=subject,
                metric=d.metric,
                value=value,
                low=low,
                high=high,
                unit=unit,
                of=first.of if d.metric not in _CASUALTY_METRICS else None,
                qualifier=qualifier,
                period_start=period_start,
                period_end=period_end,
                as_of=as_of,
                categories=categories,
                certainty=certainty,
                confidence=round(min(max(confidence, 0.05), 0.95), 2),
                evidence=evidence,
            )
        )
    return out


def _strip(text: str) -> tuple[int, int]:
    s = len(text) - len(text.lstrip())
    return s, len(text.rstrip())


def _subject(
    text: str,
    span: Span,
    metric: str,
    fig: _Figure,
    ctx: _Context,
    lex: _Lexicon,
    claimant: str | None,
) -> tuple[str | None, tuple[int, int] | None]:
    """Whom the claim is about: the controlling actor for control figures, else the place."""
    if metric in _CONTROL_METRICS:
        seg_start, seg = 0, text[: fig.start]
        best: tuple[int, str, tuple[int, int]] | None = None
        for name, rx in lex.actors:
            for m in rx.finditer(seg):
                if best is None or m.start() > best[0]:
                    best = (m.start(), name, (seg_start + m.start(), seg_start + m.end()))
        if ctx.main_actor_name:
            for m in lex.generic_actor.finditer(seg):
                if best is None or m.start() > best[0]:
                    best = (m.start(), ctx.main_actor_name, (seg_start + m.start(), seg_start + m.end()))
        # "The Afghan government says it controls ...": the pronoun is the speaker.
        pronoun = _nearest(_PRONOUN, seg, last=True)
        if pronoun and claimant and (best is None or best[0] < pronoun.start()):
            return claimant, None
        if best:
            return best[1], best[2]
        if ctx.main_actor_name:
            return ctx.main_actor_name, None
        return None, None
    if ctx.country:
        return ctx.country, None
    for ent in ents_in(span):
        if ent.label_ == "GPE":
            return ent.text, (ent.start_char - span.start_char, ent.end_char - span.start_char)
    return None, None


# --------------------------------------------------------------------------------------------- disputes
def _interval(c: Claim) -> tuple[float, float]:
    v = c.value if c.value is not None else 0.0
    lo = c.low if c.low is not None else v
    hi = c.high if c.high is not None else v
    q = c.qualifier or ""
    if q in ("at least", "more than"):
        hi = float("inf")
    elif q in ("up to", "fewer than"):
        lo = 0.0
    elif q in ("about", "nearly"):
        lo, hi = lo * 0.9, hi * 1.1
    return lo, hi


def _contradicts(a: Claim, b: Claim) -> bool:
    if a is b or a.metric != b.metric or a.unit != b.unit:
        return False
    if (a.period_start, a.period_end, a.as_of) != (b.period_start, b.period_end, b.as_of):
        return False  # figures for different times do not contradict each other
    lo_a, hi_a = _interval(a)
    lo_b, hi_b = _interval(b)
    return hi_a < lo_b or hi_b < lo_a


# --------------------------------------------------------------------------------------------- public
def find_claims(
    span: Span,
    *,
    doc: Document,
    published: date | None,
    main_actor_name: str | None = None,
    country: str | None = None,
) -> list[Claim]:
    """Aggregate claims stated in one sentence, each field with its evidence span.

    Figures for the same metric that do not overlap in this sentence or the sentences either side make
    each other's certainty "disputed".
    """
    lex = _lexicon()
    ctx = _Context(doc, published, main_actor_name, country)
    own = _sentence_claims(span, ctx, lex, inherit=True)
    if not own:
        return []
    neighbours: list[Claim] = []
    for side in (-1, 1):
        if (other := _neighbour(span, side)) is not None:
            neighbours += _sentence_claims(other, ctx, lex, inherit=True)
    out: list[Claim] = []
    for c in own:
        claim = replace(c, evidence=list(c.evidence))  # the cached record stays untouched
        if any(_contradicts(c, o) for o in [*own, *neighbours]):
            claim.certainty = "disputed"
        out.append(claim)
    return out
