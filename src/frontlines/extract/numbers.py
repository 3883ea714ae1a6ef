"""Numbers: hedged and vague figures, and casualty counts tied to outcomes through the parse.

`parse_quantity` reads one figure phrase ("at least 703", "nearly a dozen", "10-15", "dozens") into
a `Quantity`; `find_casualties` ties figures in a parsed sentence to an outcome (killed, wounded,
captured, freed, fled, surrendered, or "casualties") and a victim category; `total_fatalities` sums
ACLED's figure over the killed mentions.

ACLED codes the lowest credible figure. Our mapping of hedges (data/numbers_lexicon.yaml):
- "at least N", "more than N", "over N": value N, low N (ACLED codes the stated figure).
- "up to N", "as many as N": value N, high N (the only figure given).
- "nearly N", "almost N", "fewer than N": value N-1, high N-1 ("nearly a dozen" -> 11).
- "about/around/some N": value N, qualifier "about".
- ranges "between 10 and 15", "10 to 15", "10-15", "two or three": value 10, low 10, high 15.
- vague words by ACLED's table (frontlines.acled.VAGUE_FATALITIES) plus our few extras; "several
  hundred" multiplies (300). Percentages and fractions are not counts (None: claims handle them).
- "casualties" may be injuries: ACLED counts 0 fatalities for it, so it is its own outcome and
  `total_fatalities` ignores it; "no casualties"/"no deaths" is a killed mention of 0.
"""

from __future__ import annotations

import re
from functools import cache

from text_to_num import text2num

from frontlines.acled import VAGUE_FATALITIES
from frontlines.extract.mentions import CasualtyMention, Quantity
from frontlines.nlp import doc_text, span_text, token_bounds, token_table
from frontlines.resources import load_yaml

MAX_VALUE = 10_000_000  # anything larger is not a count of people in a report


@cache
def _lexicon() -> dict:
    lex = load_yaml("numbers_lexicon.yaml")
    vague = {k.lower(): int(v) for k, v in lex["vague_extra"].items()}
    vague.update(VAGUE_FATALITIES)  # ACLED's own table wins
    lex["vague"] = vague
    lex["qualifier_list"] = sorted(lex["qualifiers"].items(), key=lambda kv: -len(kv[0]))
    lex["vague_list"] = sorted(vague.items(), key=lambda kv: -len(kv[0]))
    lex["vague_first"] = frozenset(p.split()[0] for p in vague)
    cat_of: dict[str, str] = {}
    for cat, words in lex["categories"].items():
        for w in words:
            cat_of[str(w).lower()] = cat
    lex["category_of"] = cat_of
    lex["person_set"] = {str(w).lower() for w in lex["persons"]}
    lex["non_persons"] = frozenset(str(w).lower() for w in lex["non_persons"])
    lex["strict_verbs"] = frozenset(str(w).lower() for w in lex["strict_verbs"])
    lex["harm_verbs"] = frozenset(str(w).lower() for w in lex["harm_verbs"])
    lex["anaphoric_nouns"] = frozenset(str(w).lower() for w in lex["anaphoric_event_nouns"])
    lex["additive"] = frozenset(str(w).lower() for w in lex["additive_cues"])
    lex["other_event"] = re.compile(
        r"\b(?:" + "|".join(re.escape(str(w).lower()) for w in lex["other_event_cues"]) + r")\b"
    )
    # Lemmas and words that can state a death: a cheap test before parsing casualties in a sentence.
    death = {k for k, v in lex["outcome_verbs"].items() if v == "killed"}
    death |= {k for k, v in lex["outcome_adjectives"].items() if v == "killed"}
    death |= {k for k, v in lex["outcome_nouns"].items() if v == "killed"}
    death |= {k for k, v in lex["of_outcome_heads"].items() if v == "killed"}
    lex["death_words"] = frozenset(death | {"death", "dead", "fatally", "himself", "herself"})
    # Every word an outcome can be read from (`_outcome_of`, `_verb_outcome`, the reflexive and
    # possessive readings): a sentence with none of them has no casualty figure to parse.
    cues = set(lex["outcome_verbs"]) | set(lex["outcome_adjectives"]) | set(lex["outcome_nouns"])
    cues |= set(lex["of_outcome_heads"])
    lex["outcome_cues"] = frozenset(cues | {"toll", "lose", "death", "dead", "fatally", "mortally", "himself",
                                            "herself"})  # fmt: skip
    return lex


_SMALL = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety"
).split()
_WORD_NUMBERS = set(_SMALL) | {"hundred", "thousand", "million"}
_TOKEN = re.compile(r"\d[\d,]*(?:\.\d+)?|[a-z]+\.?|[^\sa-z\d]")
_PERCENT = re.compile(r"%|\bper ?cent\b|\bpercentage\b")
_FRACTION = re.compile(r"\b(?:half|halves|thirds?|quarters?|fifths?|tenths?)\b|\d+\s*/\s*\d+")
_DIGITS = re.compile(r"^\d{1,3}(?:,\d{3})+(?:\.\d+)?$|^\d+(?:\.\d+)?$")


def parse_quantity(text: str) -> Quantity | None:
    """The figure a phrase states, with its hedge; None when it holds no count. Never raises."""
    try:
        return _parse_quantity(text)
    except Exception:  # noqa: BLE001 - free text in, a parse failure is "no figure", never a crash
        return None


def _parse_quantity(text: str) -> Quantity | None:
    if not isinstance(text, str) or len(text) > 200:
        return None
    s = " ".join(text.lower().replace("\u2013", "-").replace("\u2014", "-").split()).strip(" ,.;:")
    if not s or _PERCENT.search(s) or _FRACTION.search(s.replace("half a dozen", "6")):
        return None
    lex = _lexicon()
    qualifier, kind = None, "exact"
    between = False
    for phrase, (norm, k) in lex["qualifier_list"]:
        if s.startswith(phrase + " "):
            qualifier, kind, s = norm, k, s[len(phrase) + 1 :]
            break
    for lead in ("between ", "from "):
        if s.startswith(lead):
            between, s = True, s[len(lead) :]
            qualifier = qualifier or "between"
            break
    toks = [(m.group(0), m.start(), m.end()) for m in _TOKEN.finditer(s)]
    first = _number(s, toks, 0)
    if first is None:
        return None
    value, pos, vague = first
    high = None
    if pos < len(toks) and toks[pos][0] in ("-", "to", "or", "and") and (toks[pos][0] != "and" or between):
        second = _number(s, toks, pos + 1)
        if second is not None and second[0] >= value and not second[2]:
            high = second[0]
    if value > MAX_VALUE or (high is not None and high > MAX_VALUE):
        return None
    if high is not None and high > value:
        return Quantity(
            value=value, low=value, high=high, qualifier=qualifier if qualifier != "between" else None
        )
    if kind == "min":
        return Quantity(value=value, low=value, qualifier=qualifier, vague=vague)
    if kind == "max":
        return Quantity(value=value, high=value, qualifier=qualifier, vague=vague)
    if kind == "below":
        v = value - 1 if value > 1 else value
        return Quantity(value=v, high=v, qualifier=qualifier, vague=vague)
    return Quantity(value=value, qualifier=qualifier, vague=vague)


def _number(s: str, toks: list[tuple[str, int, int]], i: int) -> tuple[int, int, bool] | None:
    """(value, next token index, vague) for the figure starting at token i."""
    lex = _lexicon()
    units: dict[str, int] = lex["units"]
    if i >= len(toks):
        return None
    rest = s[toks[i][1] :]
    # Vague phrases, longest first ("tens of thousands" before "tens of" before "tens").
    for phrase, v in lex["vague_list"]:
        if rest == phrase or rest.startswith(phrase + " "):
            j = i + len(_TOKEN.findall(phrase))
            if j < len(toks) and toks[j][0] == "of":
                j += 1
            if (
                j < len(toks)
                and toks[j][0] in units
                and phrase in ("several", "a few", "few", "some", "a couple of")
            ):
                v, j = v * units[toks[j][0]], j + 1
            return v, j, True
    tok = toks[i][0]
    if tok[0].isdigit():
        end = toks[i][2]
        if end < len(s) and (s[end].isalpha() or s[end] == "."):  # "1e308", "3rd", "1.5.2"
            return None
        if not _DIGITS.match(tok):
            return None
        num = float(tok.replace(",", ""))
        j = i + 1
        if j < len(toks) and toks[j][0] in units:
            num, j = num * units[toks[j][0]], j + 1
        if num != int(num):
            return None
        return int(num), j, False
    if tok in ("a", "an"):
        j = i + 1
        if j < len(toks) and toks[j][0] == "single":
            j += 1
        if j < len(toks) and toks[j][0] in units:
            return units[toks[j][0]], j + 1, False
        return 1, j, False
    if tok == "half" and i + 2 < len(toks) and toks[i + 1][0] == "a" and toks[i + 2][0] == "dozen":
        return 6, i + 3, False
    # Number words: the longest run text2num accepts ("one hundred and five", "twenty-three").
    j = i
    while j < len(toks) and (
        toks[j][0] in _WORD_NUMBERS
        or (toks[j][0] in ("and", "-") and j > i and j + 1 < len(toks) and toks[j + 1][0] in _WORD_NUMBERS)
    ):
        j += 1
    while j > i:
        words = [t[0] for t in toks[i:j] if t[0] != "-"]
        try:
            num = text2num(" ".join(words), "en")
        except ValueError:
            j -= 1
            continue
        if j < len(toks) and toks[j][0] in units:
            num, j = num * units[toks[j][0]], j + 1
        return num, j, False
    return None


# ---------------------------------------------------------------- casualties from the parse

_SUBSET_PREPS = {"including", "among", "besides"}
# Nouns whose category comes from their modifiers rather than from themselves.
_GENERIC = {
    "force",
    "forces",
    "personnel",
    "member",
    "members",
    "people",
    "man",
    "men",
    "casualty",
    "death",
    "fatality",
    "body",
    "dead",
    "officer",
    "official",
    "leader",
    "commander",
    "fighter",
}


def _qty_window(doc, i: int, lo: int, hi: int) -> tuple[int, int]:
    """Token range [a, b) of the figure phrase starting at token i: a hedge before it, the figure, a range."""
    lex = _lexicon()
    units = lex["units"]
    low = [t.lower_ for t in doc[max(lo, i - 4) : i]]
    a = i
    for phrase in [p for p, _ in lex["qualifier_list"]] + ["between", "from"]:
        words = phrase.split()
        if len(words) <= len(low) and low[len(low) - len(words) :] == words:
            a = i - len(words)
            break
    b = i + 1
    ahead = " ".join(t.lower_ for t in doc[i : min(hi, i + 4)])
    for phrase, _ in lex["vague_list"]:
        if ahead == phrase or ahead.startswith(phrase + " "):
            b = i + len(phrase.split())
            break
    between = a < i and doc[a].lower_ in ("between", "from")

    def numeric(t) -> bool:
        return t.like_num or t.lower_ in _WORD_NUMBERS

    while b < hi:
        t = doc[b]
        if numeric(t) or t.lower_ in units:
            b += 1
        elif (
            (
                t.lower_ in ("-", "\u2013", "to", "or")
                or (t.lower_ == "and" and (between or numeric(doc[b - 1])))
            )
            and b + 1 < hi
            and numeric(doc[b + 1])
        ):
            if t.lower_ == "and" and not between and doc[b - 1].lower_ not in _WORD_NUMBERS:
                break
            b += 1
        else:
            break
    return a, b


_CALENDAR = set(
    "day days week weeks month months year years decade decades hour hours minute minutes night nights "
    "weekend ago january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)


_MONTH_NAMES = set(
    "January February March April May June July August September October November December "
    "Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec".split()
)


def _date_part(t) -> bool:
    """A number that is part of a date or duration ("July 9, 2021", "three weeks ago"), not a count."""
    if t.ent_type_ in ("MONEY", "PERCENT", "ORDINAL"):  # QUANTITY is often a mistagged head count
        return True
    doc = t.doc
    for k in (t.i - 1, t.i + 1):  # "8 May 2020", "May 8": a day of the month
        if 0 <= k < len(doc) and doc[k].text.rstrip(".") in _MONTH_NAMES:
            return True
    if t.ent_type_ not in ("DATE", "TIME"):
        return False
    if t.is_digit and len(t.text) == 4:
        return True
    return t.head.lower_.rstrip(".") in _CALENDAR or any(c.lower_ in _CALENDAR for c in t.children)


_CODE = re.compile(r"^(?:\d+[-\u2013]\d+|[\d,.]+)$")


def _in_code(t) -> bool:
    """A figure inside an identifier or reference ("2010-08-CA-266", "A/65/123"), not a count."""
    text = doc_text(t.doc)
    a, b = t.idx, t.idx + len(t)
    while a > 0 and not text[a - 1].isspace():
        a -= 1
    while b < len(text) and not text[b].isspace():
        b += 1
    return not _CODE.match(text[a:b].strip(",.;:()\"'"))


def _is_count_start(t) -> bool:
    lex = _lexicon()
    w = t.lower_
    if _date_part(t):
        return False
    if t.like_num and any(ch.isdigit() for ch in w) and _in_code(t):
        return False
    if t.like_num or w in _WORD_NUMBERS:
        return True
    if w in lex["vague_first"]:
        return True
    return w in ("a", "an", "no", "none", "nobody", "both")


def _noun_of(t):
    """The nominal a figure counts: its head for a modifier, itself when it stands alone."""
    n = t
    while (
        n.dep_ in ("quantmod", "nummod", "advmod", "amod", "det", "compound", "npadvmod") and n.head is not n
    ):
        if n.head.pos_ in ("VERB", "AUX", "ADP", "ADV"):
            break
        n = n.head
        if n.pos_ in ("NOUN", "PROPN", "PRON") and n.lower_ not in _lexicon()["units"]:
            break
    if n.pos_ == "NUM" or n.like_num or n.lower_ in _vague_heads():
        # "dozens of villagers", "22 of them": the people are in the of-phrase
        of = [c for c in n.children if c.dep_ == "prep" and c.lower_ == "of"]
        if of:
            objs = [c for c in of[0].children if c.dep_ == "pobj"]
            if objs:
                return n, objs[0]
    return n, n


@cache
def _vague_heads() -> frozenset[str]:
    """Words that head a figure phrase and take the people in an of-phrase ("a number of", "dozens of")."""
    lex = _lexicon()
    words = {w for p in lex["vague"] for w in p.split()}
    words |= set(lex["units"]) | {u + "s" for u in lex["units"]}
    return frozenset(words - {"of", "a", "an"})


def _lemma(t) -> str:
    return t.lemma_.lower()


def _outcome_of(noun) -> tuple[str | None, bool]:
    """(outcome, negated) for the nominal from its place in the parse."""
    lex = _lexicon()
    verbs, adjs, nouns, ofs = (
        lex["outcome_verbs"],
        lex["outcome_adjectives"],
        lex["outcome_nouns"],
        lex["of_outcome_heads"],
    )
    n = noun
    while n.dep_ in ("conj", "appos") and n.head is not n and n.head.pos_ in ("NOUN", "PROPN", "NUM", "PRON"):
        n = n.head  # "33 soldiers and 12 civilians were killed"; "X, a commander, was killed"
    h, d = n.head, n.dep_

    def negated(v) -> bool:
        return any(c.dep_ == "neg" for c in v.children)

    if d in ("nsubjpass", "nsubj", "dobj", "obj", "attr") and h is not n:
        lem = _lemma(h)
        reduced_passive = h.tag_ == "VBN" and not any(c.dep_ in ("aux", "auxpass") for c in h.children)
        # "Four people killed and twenty wounded": a headline's subject with no object is the victim
        headline = h.tag_ == "VBD" and not _has_object(h) and not any(_has_object(c) for c in h.conjuncts)
        agent = d == "nsubj" and lem not in _UNDERGOER_VERBS and not reduced_passive and not headline
        if h.pos_ in ("VERB", "AUX") and not agent and (out := _group_outcome(h, d)):
            return out, negated(h)
        if d in ("dobj", "nsubjpass") or (d == "nsubj" and lem == "be"):
            # "left three fighters dead", "a man was found dead"
            for c in h.children:
                if c.dep_ in ("oprd", "acomp", "xcomp", "ccomp") and c is not n and adjs.get(c.lower_):
                    return adjs[c.lower_], negated(h)
        if h.pos_ == "ADJ" and h.lower_ in adjs and adjs[h.lower_]:
            return adjs[h.lower_], negated(h)
        if lem == "be" or h.pos_ == "AUX":
            for c in h.children:
                if c.dep_ in ("acomp", "attr", "oprd") and c is not n and c.lower_ in adjs and adjs[c.lower_]:
                    return adjs[c.lower_], negated(h)
        if lem == "lose" and d in ("nsubj", "nsubjpass") and any(c.lower_ == "lives" for c in h.children):
            return "killed", negated(h)
        if d == "nsubjpass" and h.pos_ == "VERB":
            # "he was engaged and killed": the outcome is a later verb sharing the passive subject
            for c in h.children:
                if c.dep_ == "conj" and (c.tag_ == "VBN" or _lemma(c) in _UNDERGOER_VERBS):
                    out = _verb_outcome(c)
                    if out and not any(x.dep_ in ("nsubj", "nsubjpass") for x in c.children):
                        return out, negated(c)
    if d == "pobj" and h.lower_ == "of":
        for key in (h.head.lower_, _lemma(h.head)):
            if key in ofs:
                return ofs[key], False
    if d == "pobj" and h.lower_ in ("to", "at") and h.head.pos_ in ("VERB", "AUX"):
        # "the death toll rose to 45", "put the toll at 12", "the number of people killed rose to 58"
        for c in h.head.children:
            if c.dep_ not in ("nsubj", "nsubjpass", "dobj"):
                continue
            if _lemma(c) == "toll":
                return "killed", False
            if _lemma(c) == "number":
                for o in (o for prep in c.children if prep.lower_ == "of" for o in prep.children):
                    for part in o.children:
                        if part.dep_ in ("acl", "amod", "relcl") and _lemma(part) in verbs:
                            return verbs[_lemma(part)], False
    for c in noun.children:
        # "one facilitator killed", "a man who was shot dead"; not "an ambush that killed two" (the agent)
        active = any(x.dep_ in ("nsubj", "dobj", "obj") for x in c.children)
        if c.dep_ in ("acl", "amod", "relcl") and c.lower_ in adjs and adjs[c.lower_] and not active:
            return adjs[c.lower_], False
        if c.dep_ in ("acl", "relcl") and c.tag_ == "VBN" and not active and (out := _verb_outcome(c)):
            return out, negated(c)
    if _lemma(noun) in nouns:
        return nouns[_lemma(noun)], False
    return None, False


# Verbs whose subject is the one it happens to ("three soldiers died"); for the others the subject is
# the agent ("three gunmen killed ...") unless the verb is passive.
_UNDERGOER_VERBS = {"die", "perish", "succumb", "flee", "escape", "surrender", "defect"}


def _has_object(v) -> bool:
    return any(c.dep_ in ("dobj", "obj") for c in v.children)


def _group_outcome(v, dep: str) -> str | None:
    """The outcome of a verb and the coordinated verbs sharing its victim ("killing and injuring dozens",
    "was abducted and stabbed to death"): killed when any of them kills, else the verb's own."""
    own = _verb_outcome(v)
    if own and any(c.lower_ == "or" for x in (v, *v.conjuncts) for c in x.children if c.dep_ == "cc"):
        # "killing, injuring or capturing 2": which happened is unknown; ACLED counts no deaths
        outcomes = {_verb_outcome(x) for x in (v, *v.conjuncts)}
        return "casualties" if "killed" in outcomes and len(outcomes) > 1 else own
    shared = []
    for c in v.conjuncts:
        if c.pos_ != "VERB":
            continue
        if dep in ("dobj", "obj") and _has_object(c):
            continue
        if dep == "nsubjpass" and any(x.dep_ in ("nsubj", "nsubjpass") for x in c.children):
            continue
        shared.append(_verb_outcome(c))
    if own and "killed" in shared:
        return "killed"
    return own


def _verb_outcome(v) -> str | None:
    """The outcome a verb states: its lexicon entry, or killed for a harm made fatal ("shot dead",
    "beaten to death", "fatally wounded")."""
    lex = _lexicon()
    lem = _lemma(v)
    if lem in lex["outcome_verbs"] or lem in lex["harm_verbs"]:
        for c in v.children:
            low = c.lower_
            if low in ("fatally", "dead", "mortally") or (
                c.dep_ == "prep" and low == "to" and any(o.lower_ == "death" for o in c.children)
            ):
                return "killed"
    return lex["outcome_verbs"].get(lem)


def _category(head) -> str | None:
    """Victim category from the noun phrase: phrase, specific noun, modifiers, then generic noun."""
    lex = _lexicon()
    cat_of, mods = lex["category_of"], lex["category_modifiers"]
    words = [c for c in head.lefts if c.dep_ in ("compound", "amod", "nmod")] + [head]
    doc = head.doc
    if head.i >= 2 and doc[head.i - 1].text in ("-", "\u2013") and not doc[head.i - 2].whitespace_:
        first = doc[head.i - 2]  # "Taliban sub-commander": the modifiers hang on "sub"
        words = [c for c in first.lefts if c.dep_ in ("compound", "amod", "nmod")] + [first] + words
    phrase = " ".join(t.lower_ for t in words)
    for k in range(len(words)):
        sub = " ".join(t.lower_ for t in words[k:])
        if sub in cat_of and " " in sub:
            return cat_of[sub]
    lem, low = _lemma(head), head.lower_
    if low not in _GENERIC and lem not in _GENERIC:
        for key in (low, lem):
            if key in cat_of:
                return cat_of[key]
    for t in words[:-1]:
        for key in (t.lower_, _lemma(t)):
            if key in mods:
                return mods[key]
            if key in cat_of and key not in _GENERIC:
                return cat_of[key]
    if head.ent_type_ == "NORP" and low == "taliban" or "taliban" in phrase:
        return "militants"
    for key in (low, lem):
        if key in cat_of:
            return cat_of[key]
    for c in head.children:
        if c.dep_ == "appos" and c.pos_ in ("NOUN", "PROPN"):
            cat = _category(c)
            if cat:
                return cat
    # "members of the security forces", "dozens of villagers" (already resolved), "the bodies of 22 commandos"
    for c in head.children:
        if c.dep_ == "prep" and c.lower_ == "of":
            for o in c.children:
                if o.dep_ == "pobj" and o is not head:
                    return _category(o)
    return None


def _harmed_noun(t, outcome: str) -> bool:
    """Whoever is killed or wounded is a person unless the lexicon says the noun is a thing
    ("killed a school principal" needs no list of professions). Verbs with abstract objects
    ("eliminate the threat", "execute attacks") keep to the person lexicon."""
    n = t
    while n.dep_ in ("conj", "appos") and n.head is not n:
        n = n.head
    return (
        outcome in ("killed", "wounded")
        and _lemma(n.head) not in _lexicon()["strict_verbs"]
        and t.pos_ == "NOUN"
        and t.lower_ not in _lexicon()["non_persons"]
        and _lemma(t) not in _lexicon()["non_persons"]
    )


def _is_person(t) -> bool:
    lex = _lexicon()
    low, lem = t.lower_, _lemma(t)
    return (
        low in lex["category_of"]
        or lem in lex["category_of"]
        or low in lex["person_set"]
        or lem in lex["person_set"]
        or lem in lex["outcome_nouns"]
        or low in lex["outcome_nouns"]
        or t.ent_type_ == "PERSON"
    )


def find_casualties(span) -> list[CasualtyMention]:  # span: spacy Span or Doc
    """Figures tied to casualty outcomes in a parsed sentence (or doc), one mention per victim group.

    A figure counts people when it modifies (or stands for) a person noun or an outcome noun, and that
    nominal is the passive subject / object of an outcome verb ("were killed", "killing 11"), the subject
    of "died"/"fled"/"were dead", the of-phrase of "the bodies of", the figure of a death toll, or carries
    an outcome participle ("one facilitator killed"). Figures under "including"/"among" are parts of a
    total already counted and are skipped. "a"/"an" count 1 only before a person noun; "no" gives 0.
    """
    doc, lo, hi = token_bounds(span)
    text = doc_text(doc)
    out: list[CasualtyMention] = []
    if hi > lo and not _may_state_outcome(doc, lo, hi):
        return _coded_figures(text, doc[lo].idx, doc[hi - 1].idx + len(doc[hi - 1]))
    seen_nouns: set[int] = set()
    used: set[int] = set()
    for t in doc[lo:hi]:
        if t.i in used:
            continue
        if not _is_count_start(t):
            single = _singular_victim(t, seen_nouns)
            if single is not None:
                out.append(single)
                seen_nouns.add(t.i)
            continue
        a, b = _qty_window(doc, t.i, lo, hi)
        window_tokens = range(a, b)
        if any(i in used for i in window_tokens):
            continue
        counted, noun = _noun_of(t)
        if counted.pos_ not in ("NOUN", "PROPN", "PRON") and b - 1 > t.i:
            # "10-15 soldiers": the parse may hang the noun on the last figure
            alt = _noun_of(doc[b - 1])
            if alt[0].pos_ in ("NOUN", "PROPN", "PRON"):
                counted, noun = alt
        if noun.i in seen_nouns:
            continue
        words = t.lower_
        if words in ("a", "an", "both") and (
            counted.pos_ not in ("NOUN", "PROPN")
            or counted.i < t.i
            or not (_is_person(counted) or _is_person(noun))
        ):
            continue
        bare = counted is noun and (
            counted.like_num or counted.lower_ in _WORD_NUMBERS or counted.lower_ in _lexicon()["vague"]
        )
        outcome, neg = _adjacent_outcome(doc, max(b - 1, noun.i, counted.i) + 1, hi)
        if outcome is None:
            outcome, neg = _outcome_of(counted)
            if outcome is None and noun is not counted:
                outcome, neg = _outcome_of(noun)
        anchor = counted.head if counted.dep_ == "appos" else None
        if anchor is not None and anchor.i in seen_nouns:
            continue  # "Noorani, a Taliban leader, was killed": one person, already counted
        if _under_subset(counted):
            continue
        if outcome is None or neg:
            continue
        if not bare and not (_is_person(noun) or _is_person(counted) or _harmed_noun(noun, outcome)):
            continue
        qtext = text[doc[a].idx : doc[b - 1].idx + len(doc[b - 1])]
        if words in ("no", "none", "nobody"):
            q = Quantity(value=0)
            if outcome == "casualties":
                outcome = "killed"
        elif words == "both":
            q = Quantity(value=2)
        else:
            q = parse_quantity(qtext)
        if q is None:
            continue
        used.update(window_tokens)
        seen_nouns.add(noun.i)
        seen_nouns.add(counted.i)
        if anchor is not None:
            seen_nouns.add(anchor.i)
        end_tok = max(noun, counted, doc[b - 1], key=lambda x: x.i)
        start = doc[a].idx
        end = end_tok.idx + len(end_tok)
        out.append(CasualtyMention(start, end, text[start:end], q, outcome, _category(noun)))
    out.extend(_reflexive_mentions(doc, lo, hi, seen_nouns))
    if any(m.outcome == "killed" for m in out):
        out.extend(_in_addition_mentions(doc, lo, hi, seen_nouns))
    out.extend(
        _coded_figures(
            text, doc[lo].idx if hi > lo else 0, doc[hi - 1].idx + len(doc[hi - 1]) if hi > lo else 0
        )
    )
    out.sort(key=lambda m: m.start)
    return out


# A coder's note stating the figure used for an unknown toll ("Unknown fatalities coded as 10.", as ACLED's
# notes write it): that is the figure, stated in the text.
_CODED = re.compile(r"\bfatalities\s+(?:were\s+|was\s+|are\s+)?coded\s+as\s+(\d{1,4})\b", re.I)


def _may_state_outcome(doc, lo: int, hi: int) -> bool:
    """Whether the sentences around tokens lo..hi hold a word an outcome can be read from. The parse
    links words within a sentence, so the whole sentences are checked, not only the span."""
    start, end = doc[lo].sent.start, doc[hi - 1].sent.end
    table = token_table(doc)
    cues = _lexicon()["outcome_cues"]
    return not (cues.isdisjoint(table.lower[start:end]) and cues.isdisjoint(table.lemma[start:end]))


def _coded_figures(text: str, start: int, end: int) -> list[CasualtyMention]:
    return [
        CasualtyMention(
            start + m.start(), start + m.end(), m.group(0), Quantity(value=int(m.group(1))), "killed"
        )
        for m in _CODED.finditer(text[start:end])
    ]


_SINGULAR_PRONOUNS = {"he", "him", "she", "her"}
# A proper noun that is none of these may name a person (the small model tags many Afghan names oddly).
_NOT_PEOPLE = {"GPE", "LOC", "FAC", "ORG", "NORP", "DATE", "TIME", "PRODUCT", "LAW", "WORK_OF_ART", "LANGUAGE",
               "MONEY", "QUANTITY", "ORDINAL", "CARDINAL", "PERCENT"}  # fmt: skip
# Singular nouns naming a unit or a group, not one person.
_COLLECTIVE = {"force", "army", "police", "personnel", "staff", "crew", "family", "team", "unit", "patrol",
               "militia", "taliban", "group", "network", "cell", "government", "enemy", "security"}  # fmt: skip


def _singular_victim(t, seen: set[int]) -> CasualtyMention | None:
    """One person without a figure: "killing him", "the insurgent was killed", "the death of <name>",
    "<name>'s death"."""
    if t.dep_ == "poss" and t.i not in seen and t.head.lower_ == "death" and not _under_subset(t.head):
        # Only "death": a possessive on "killing" or "murder" may be the killer ("the group's killing of").
        if t.pos_ == "PROPN" and t.ent_type_ not in _NOT_PEOPLE or t.tag_ == "NN" and _is_person(t):
            start, end = t.idx, t.idx + len(t)
            return CasualtyMention(
                start, end, doc_text(t.doc)[start:end], Quantity(value=1), "killed", _category(t)
            )
    if t.i in seen or t.dep_ in ("compound", "poss", "amod", "nmod"):
        return None
    if t.dep_ == "appos" and t.head.i in seen:
        return None
    if t.dep_ == "conj" and t.head.dep_ == "appos":
        return None  # "Karimi, a teacher and former mayor": one person under two descriptions
    if not t.is_alpha or (
        not t.whitespace_ and t.i + 1 < len(t.doc) and t.doc[t.i + 1].text in ("-", "\u2013")
    ):
        return None  # punctuation, or the first half of "sub-commander" (the second half is the noun)
    low = t.lower_
    if low in _SINGULAR_PRONOUNS:
        pass
    elif (
        t.pos_ == "PROPN"
        and t.ent_type_ not in _NOT_PEOPLE
        and low not in _lexicon()["category_of"]
        and not (t.is_upper and len(t) > 1)  # datelines ("MAIMANA, Afghanistan") and acronyms
    ):
        if t.i + 1 < len(t.doc) and t.doc[t.i + 1].ent_iob_ == "I":
            return None  # only the last token of a name
    elif t.tag_ == "NN" and low not in _COLLECTIVE and _lemma(t) not in _lexicon()["outcome_nouns"]:
        if any(c.dep_ in ("nummod", "quantmod") or c.lower_ in ("no", "every", "each") for c in t.children):
            return None
    else:
        return None
    if _under_subset(t):
        return None
    outcome, neg = _outcome_of(t)
    if outcome is None or neg or outcome == "casualties":
        return None
    if t.pos_ == "PROPN" and t.ent_type_ != "PERSON":
        if outcome not in ("killed", "wounded") or t.dep_ not in ("nsubjpass", "dobj", "nsubj"):
            return None  # places are captured too, and place names sit in appositions and lists
        if any(c.dep_ == "appos" and c.pos_ == "NOUN" for c in t.children):
            return None  # "Chihuahua, a man, was found dead": the apposition names the victim
    if t.tag_ == "NN" and not (_is_person(t) or _harmed_noun(t, outcome)):
        return None
    first = t
    if t.pos_ != "PRON":
        left = [c for c in t.lefts if c.dep_ in ("compound", "amod", "det", "nmod", "poss")]
        first = min([t, *left], key=lambda x: x.i)
        while first.i > 0 and t.doc[first.i - 1].ent_type_ == "PERSON" and t.ent_type_ == "PERSON":
            first = t.doc[first.i - 1]
    start, end = first.idx, t.idx + len(t)
    return CasualtyMention(start, end, doc_text(t.doc)[start:end], Quantity(value=1), outcome, _category(t))


def _adjacent_outcome(doc, i: int, hi: int) -> tuple[str | None, bool]:
    """An outcome word right after the figure ("four people dead and 20 wounded"): the parse often hangs
    it elsewhere, but in lists of tolls the adjacent word is what the figure means. A past tense counts too:
    in "nine were killed and four others wounded" the second verb is elided and the tagger reads VBD."""
    if (
        i < hi
        and doc[i].tag_ in ("JJ", "VBN", "VBD")
        and doc[i].dep_ != "amod"
        and not (doc[i].tag_ == "VBD" and _has_object(doc[i]))  # "four soldiers killed three" is active
    ):
        adj = _lexicon()["outcome_adjectives"].get(doc[i].lower_)
        if adj:
            return adj, False
    return None, False


def _under_subset(tok) -> bool:
    n = tok
    for _ in range(4):
        if n.dep_ == "pobj" and n.head.lower_ in _SUBSET_PREPS:
            return True
        if n.dep_ == "prep" and n.lower_ in _SUBSET_PREPS:
            return True
        if n.head is n:
            break
        n = n.head
    return False


def _in_addition_mentions(doc, lo: int, hi: int, seen: set[int]) -> list[CasualtyMention]:
    """ "In addition to the assailant, two guards were killed": the people named there died too (ACLED
    counts suicide bombers and attackers). A plural without a figure is left out (how many is unknown)."""
    out = []
    for t in doc[lo:hi]:
        if t.i in seen or t.dep_ != "pobj" or t.head.lower_ != "to" or t.head.head.lower_ != "addition":
            continue
        if not _is_person(t):
            continue
        figure = next((c for c in t.children if c.dep_ == "nummod"), None)
        if figure is not None:
            q = parse_quantity(figure.text)
        elif t.tag_ in ("NN", "NNP"):
            q = Quantity(value=1)
        else:
            q = None
        if q is None:
            continue
        first = min(
            [t, *(c for c in t.lefts if c.dep_ in ("det", "nummod", "amod", "compound"))], key=lambda x: x.i
        )
        start, end = first.idx, t.idx + len(t)
        out.append(CasualtyMention(start, end, doc_text(doc)[start:end], q, "killed", _category(t)))
        seen.add(t.i)
    return out


def _reflexive_mentions(doc, lo: int, hi: int, seen: set[int]) -> list[CasualtyMention]:
    """ "a suicide bomber killed himself", "blew himself up": the attacker is one fatality."""
    out = []
    for t in doc[lo:hi]:
        if t.lower_ not in ("himself", "herself") or t.dep_ not in ("dobj", "obj"):
            continue
        v = t.head
        lem = _lemma(v)
        if not (
            lem == "kill" or (lem == "blow" and any(c.dep_ == "prt" and c.lower_ == "up" for c in v.children))
        ):
            continue
        subj = next((c for c in v.children if c.dep_ == "nsubj"), None)
        if subj is None or subj.i in seen:
            continue
        cat = _category(subj)
        first = min([subj, *subj.lefts], key=lambda x: x.i) if subj.i >= lo else subj
        start, end = first.idx, subj.idx + len(subj)
        out.append(CasualtyMention(start, end, doc_text(doc)[start:end], Quantity(value=1), "killed", cat))
        seen.add(subj.i)
    return out


def total_fatalities(mentions: list[CasualtyMention]) -> tuple[int, int | None, int | None]:
    """(fatalities, low, high) over the killed mentions, ACLED style: the sum of the lowest figures.

    Injuries, captures and bare "casualties" never count. low/high are given only when some mention
    states a range or bound; high is None when any figure is open-ended ("at least", vague words).
    """
    killed = [m.quantity for m in mentions if m.outcome == "killed" and m.quantity.value is not None]
    total = sum(q.value for q in killed)
    if not any(q.low is not None or q.high is not None for q in killed):
        return total, None, None
    low = sum(q.low if q.low is not None else q.value for q in killed)
    open_ended = any(q.vague or (q.low is not None and q.high is None) for q in killed)
    high = None if open_ended else sum(q.high if q.high is not None else q.value for q in killed)
    return total, low, high


# ---------------------------------------------------------------- tallies in later sentences


def may_state_death(span) -> bool:
    """Whether a sentence has a word that can state a death (cheap; no casualty parse)."""
    words = _lexicon()["death_words"]
    doc, lo, hi = token_bounds(span)
    table = token_table(doc)
    return not (words.isdisjoint(table.lower[lo:hi]) and words.isdisjoint(table.lemma[lo:hi]))


def refers_back(span) -> bool:
    """Whether a sentence points back to an event already described: an event noun under "in", "during",
    "after" or "following" with "the", "this", "that", "these" or "ensuing" ("killed in the attack",
    "wounded during the ensuing clash"). Its tally then belongs to that event."""
    lex = _lexicon()
    nouns = lex["anaphoric_nouns"]
    doc, lo, hi = token_bounds(span)
    table = token_table(doc)
    for t in (doc[i] for i in range(lo, hi) if table.lemma[i] in nouns or table.lower[i] in nouns):
        if t.dep_ != "pobj":
            continue
        if t.head.lower_ not in ("in", "during", "after", "following", "from"):
            continue
        if any(
            c.lower_ in ("the", "this", "that", "these", "those", "ensuing", "subsequent")
            for c in t.children
            if c.dep_ in ("det", "amod", "compound")
        ):
            return True
    return False


def names_other_event(span) -> bool:
    """Whether a sentence marks its tally as another event's ("in a separate attack", "a similar blast")."""
    return bool(_lexicon()["other_event"].search(span_text(span).lower()))


def adds_to_earlier(span) -> bool:
    """Whether a sentence's tally adds to an earlier one ("two other soldiers were also killed")."""
    words = _lexicon()["additive"]
    return any(t.lower_ in words for t in span)


_ONE_OF = re.compile(
    r"\bone of (?:the )?(\w+)\s+(?:(?:related|similar|separate|coordinated|simultaneous|such)\s+)?(\w+)\b"
)


def _event_count(word: str) -> int | None:
    if word == "both":
        return 2
    try:
        n = int(word) if word.isdigit() else text2num(word, "en")
    except ValueError:
        return None
    return n if 1 < n <= 50 else None


_SPREAD = re.compile(
    r"\b(?:spread|split|divided|shared)\s+(?:evenly\s+)?(?:between|across|among|over)\s+(\w+)\s+"
    r"(?:locations|places|events|days|incidents)\b",
    re.I,
)


def events_sharing(span, text: str) -> int:
    """How many events a sentence's tally is told over ("... were killed across both attacks", "across two
    days of clashes", "across the clashes" in a report that says it was "one of three related attacks");
    1 when it is one event's. ACLED splits such a total evenly (per day, or per event)."""
    nouns = _lexicon()["anaphoric_nouns"] | {"incidents", "bombings", "raids", "ambushes", "events", "days"}
    m = _SPREAD.search(span_text(span))
    if m and (n := _event_count(m.group(1).lower())):
        return n  # "coded as 10 and spread between 2 locations"
    for t in span:
        if t.lower_ != "across":
            continue
        obj = next((c for c in t.children if c.dep_ == "pobj"), None)
        if obj is None or obj.lower_ not in nouns or obj.tag_ != "NNS":
            continue
        for c in obj.children:
            if c.dep_ in ("nummod", "det", "predet", "amod") and (n := _event_count(c.lower_)):
                return n
        for o in _ONE_OF.finditer(text.lower()):
            if o[2] in nouns and (n := _event_count(o[1])):
                return n
    return 1
