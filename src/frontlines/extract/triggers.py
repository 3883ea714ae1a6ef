"""Event triggers: the words that say what happened, typed to one ACLED sub-event type.

Public surface: `find_triggers(span)`, `classify_text(text, nlp)`, `clause_head(trigger, doc)`,
`neighbour_sentence_has(sent, cue)`.

The lexicon (`data/triggers.yaml`) maps lemmas and lemma phrases to sub-event types with ordered
refinement rules on the trigger's arguments (read off the dependency parse) and on cue words in the
sentence. Then sentence-level passes make the decisions one word cannot:

- Generic violence words ("attack", "killed") take the type of the means named in the sentence
  ("killed in an air strike" is an air strike); otherwise their patient decides (civilians → Attack,
  soldiers/checkpoints → Armed clash, protesters → Excessive force).
- Protest words are re-typed by what else happened to the protest: excessive force > violence by the
  protesters (riot) > intervention (tear gas, arrests) > peaceful.
- Weapons named as the object of a disrupting verb ("defused a bomb") are not explosions.

Territory. This module does not resolve actors, so for capture-like words it returns "Non-state actor
overtakes territory" (or "Government regains territory" for recapture words, or when the agent's
head word is a state-forces word such as "army" or "troops") and exposes the agent span; the assembler
re-types by the resolved agent (state forces → Government regains territory) and codes
`held_briefly` captures as Armed clash, per ACLED's one-day rule.

Decisions documented here because ACLED's codebook leaves them open:
- "failed to take X" is fighting that did not end in a capture: typed Armed clash, not negated.
- Future and modal events ("threatened to capture", "plan to attack", "could fall") are returned with
  a score of at most 0.15, below the assembler's floor, so they are visible but never coded.
- Sentences that only attribute responsibility ("X claimed responsibility for the bombing") keep
  their triggers at score 0.15: the claim is not itself an event report.
- Background mentions get a score below the assembler's floor (0.3), so they are visible but not
  coded: a person's record or role ("a leader responsible for IED attacks", "the facilitator
  supplies explosives", "He plans attacks", a relative clause on such a person), the charge of an
  arrest ("in connection with the killing"), weapons named as a person's trade ("IED facilitator")
  are dropped; an event in an "after"/"following" clause is capped only when the trigger it hangs
  from is itself a live event ("clashed after they kidnapped a herder"), and never for weapons
  (the generic verb before them adopts their type) or protest words (typed by the sentence).
- Mortars, rockets or grenades fired together with small arms or rifles are an Armed clash; heavy
  machine guns count as heavy weapons (Shelling) as in ACLED's Ukraine coding; "exchanged
  artillery" is two-sided, a clash.
- Rioting without a demonstration word in the sentence is Mob violence (ACLED); across the sentences
  of a snippet, rioting beside a protest makes a Violent demonstration.
- Freeing prisoners and soldiers fleeing across a border are typed "Other" (Strategic developments):
  ACLED has no specific sub-type for prison breaks or mass flight, and codes such non-violent
  but significant developments as Other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span, Token

from frontlines.acled import PRECEDENCE, SUB_EVENT_TYPES
from frontlines.extract.mentions import Trigger
from frontlines.nlp import char_span, doc_text, token_bounds, token_table
from frontlines.resources import load_yaml

# Dependency labels that open a new clause: a trigger's clause is the nearest such ancestor.
_CLAUSE_DEPS = {"ROOT", "conj", "ccomp", "advcl", "xcomp", "relcl", "acl", "parataxis", "pcomp"}
_MODALS = {"will", "shall", "would", "could", "may", "might", "can", "should", "must", "'ll", "wo"}
_HEDGE_MODALS = {"may", "might", "could"}
_EXPEL_VERBS = {"push", "drive", "force", "beat", "chase", "kick", "throw", "fight"}
_ATTEMPT_NOUNS = {"attempt", "bid", "effort", "attack", "offensive", "push", "assault", "operation"}
_MODAL_CAP = 0.15
_ATTRIB_CAP = 0.15
# Background mentions (a suspect's record, the charge, what came before) stay below the assembler's
# floor of 0.3: visible, but never coded as the reported event.
_BACKGROUND_CAP = 0.2
_BEFORE_CAP = 0.25
_NOMINAL_LINKS = {"compound", "amod", "nmod", "pobj", "prep", "dobj", "obj", "conj", "appos", "dative"}
_OWN_CLAUSE = {"ROOT", "ccomp", "advcl", "relcl", "parataxis"}
_BACKGROUND_MARKS = {"after", "following", "since", "before", "prior"}
_CLAIM_FRAMES = {"demand", "call", "denounce"}
_EARLIER = {"recent", "previous", "earlier", "last", "past", "former", "prior"}

_PLACE_ENTS = {"GPE", "LOC", "FAC"}
_TERRITORY_TYPES = {"Non-state actor overtakes territory", "Government regains territory"}
_METHOD_TYPES = {
    "Chemical weapon",
    "Air/drone strike",
    "Suicide bomb",
    "Shelling/artillery/missile attack",
    "Remote explosive/landmine/IED",
    "Grenade",
}
# Sub-types a crime report also produces ("police arrested three robbers"): not ACLED events there.
_CRIME_LIKE = {"Arrests", "Disrupted weapons use", "Attack", "Armed clash"}
_DISASTER_PROOF = {
    "Excessive force against protesters",
    "Protest with intervention",
    "Peaceful protest",
    "Violent demonstration",
    "Mob violence",
    "Arrests",
    "Abduction/forced disappearance",
    "Sexual violence",
}
# ACLED: violence by the demonstrators makes the event a riot even when force is used against them.
_PROTEST_ORDER = [
    "Violent demonstration",
    "Excessive force against protesters",
    "Protest with intervention",
    "Peaceful protest",
]
# Riot and protest words are sentence-level decisions and keep their score in background clauses.
_PROTEST_FAMILY = {*_PROTEST_ORDER, "Mob violence"}
_HABITUAL_SUBJECTS = {"he", "she", "they"}


@dataclass(slots=True)
class _Entry:
    type: str
    score: float
    role: str | None
    pos: set[str] | None
    rules: list[dict[str, Any]]


@dataclass(slots=True)
class _Lexicon:
    classes: dict[str, set[str]]  # single-word members
    class_phrases: dict[str, list[str]]  # multi-word members, as " a b " lemma strings
    words: dict[str, list[_Entry]]
    phrases: dict[str, list[tuple[tuple[str, ...], _Entry]]]  # first token -> (sequence, entry)


@dataclass(slots=True)
class _Cand:
    tokens: list[Token]
    root: Token
    entry: _Entry
    type: str = ""
    score: float = 0.0
    agent: Token | None = None
    patient: Token | None = None
    negated: bool = False
    hedged: bool = False
    held: bool = False
    drop: bool = False
    extra: dict[str, Any] = field(default_factory=dict)


def _split_phrase(p: str) -> tuple[str, ...]:
    # spaCy splits infix hyphens into their own token.
    return tuple(p.lower().replace("-", " - ").split())


@lru_cache(maxsize=1)
def _lexicon() -> _Lexicon:
    raw = load_yaml("triggers.yaml")
    classes: dict[str, set[str]] = {}
    class_phrases: dict[str, list[str]] = {}
    for name, items in {**raw["classes"], **raw.get("cue_classes", {})}.items():
        singles, multis = set(), []
        for item in items:
            seq = _split_phrase(str(item))
            if len(seq) == 1:
                singles.add(seq[0])
            else:
                multis.append(" " + " ".join(seq) + " ")
        classes[name] = singles
        class_phrases[name] = multis
    words: dict[str, list[_Entry]] = {}
    phrases: dict[str, list[tuple[tuple[str, ...], _Entry]]] = {}
    for e in raw["entries"]:
        if e["type"] not in PRECEDENCE:
            raise ValueError(f"triggers.yaml: unknown sub-event type {e['type']!r}")
        entry = _Entry(
            type=e["type"],
            score=float(e["score"]),
            role=e.get("role"),
            pos=set(e["pos"]) if e.get("pos") else None,
            rules=e.get("rules") or [],
        )
        for w in e.get("words") or []:
            seq = _split_phrase(str(w))
            if len(seq) == 1:
                words.setdefault(seq[0], []).append(entry)
            else:
                phrases.setdefault(seq[0], []).append((seq, entry))
        for p in e.get("phrases") or []:
            seq = _split_phrase(str(p))
            if len(seq) == 1:
                words.setdefault(seq[0], []).append(entry)
            else:
                phrases.setdefault(seq[0], []).append((seq, entry))
    for k in phrases:
        phrases[k].sort(key=lambda pe: -len(pe[0]))
    return _Lexicon(classes, class_phrases, words, phrases)


def _forms(tok: Token) -> tuple[str, ...]:
    """Lemma, lower-case form and naive de-inflections (the small model mis-lemmatises "raped", "bases")."""
    return _word_forms(tok.lower_, tok.lemma_.lower())


@lru_cache(maxsize=65536)
def _word_forms(lower: str, lemma: str) -> tuple[str, ...]:
    out = [lemma, lower]
    if len(lower) > 4:
        if lower.endswith("es"):
            out += [lower[:-1], lower[:-2]]
        elif lower.endswith("s") and not lower.endswith("ss"):
            out.append(lower[:-1])
        elif lower.endswith("ed"):
            out += [lower[:-1], lower[:-2]]
    return tuple(out)


def _span_forms(span: Span) -> list[tuple[str, ...]]:
    table = token_table(span.doc)
    return list(map(_word_forms, table.lower[span.start : span.end], table.lemma[span.start : span.end]))


def _tok_matches(tok: Token, word: str) -> bool:
    return word in _forms(tok)


# ------------------------------------------------------------------------------------------------ parse


def _pobj(tok: Token, preps: set[str]) -> Token | None:
    for c in tok.children:
        if c.dep_ in ("prep", "agent") and c.lower_ in preps:
            for g in c.children:
                # "On 2 June, troops fired on ...": a date is when, never whom or where.
                if g.dep_ == "pobj" and g.ent_type_ not in ("DATE", "TIME"):
                    return g
    return None


def _is_verb(tok: Token) -> bool:
    return tok.pos_ in ("VERB", "AUX") or tok.tag_.startswith("VB")


def _past_dateline(subj: Token, verb: Token) -> Token:
    """ "KANDAHAR, Afghanistan — Taliban fighters entered ...": the parser may take the dateline as
    the subject; the real subject is the noun phrase after the dash."""
    doc = verb.doc
    dash = next(
        (
            t
            for t in doc[subj.left_edge.i : verb.i]
            if t.text in ("—", "–", "--", "-") and t.i > subj.left_edge.i
        ),
        None,
    )
    if dash is None:
        return subj
    # The language's chunker run on the stretch between dash and verb only: `Span.noun_chunks` walks
    # every chunk of the whole document and filters them, once per verb.
    chunker = doc.noun_chunks_iterator
    if chunker is None or not doc.has_annotation("DEP"):
        return subj
    for start, end, _ in chunker(doc[dash.i + 1 : verb.i]):
        if dash.i < start and end <= verb.i:
            return Span(doc, start, end).root
    return subj


def _nearest_child(verb: Token, deps: tuple[str, ...]) -> Token | None:
    """The verb's child of these relations nearest before it, else the first after it. An opening chain
    of places ("in Demas, Ouest department, a journalist was beaten") can leave two subjects on one verb:
    the one next to the verb is the real one."""
    kids = [c for c in verb.children if c.dep_ in deps]
    before = [c for c in kids if c.i < verb.i]
    return before[-1] if before else (kids[0] if kids else None)


def _subject(verb: Token, depth: int = 0) -> Token | None:
    """The agent of a verb: the by-phrase of a passive, else the subject, else the governing verb's."""
    by = _pobj(verb, {"by"})
    passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in verb.children)
    if by is not None and passive:
        return by
    if not passive:
        c = _nearest_child(verb, ("nsubj",))
        if c is not None:
            return _past_dateline(c, verb)
    if by is not None:
        return by
    if depth < 3 and verb.dep_ in ("conj", "advcl", "xcomp") and verb.head.i != verb.i:
        head = verb.head
        if _is_verb(head):
            if verb.dep_ == "advcl" and any(c.dep_ in ("mark", "nsubj") for c in verb.children):
                return None  # "when a bomb exploded": its own clause
            return _subject(head, depth + 1)
    return None


def _arguments(tok: Token, own: frozenset[int] = frozenset()) -> tuple[Token | None, Token | None]:
    """(agent, patient) heads for a trigger token, from the parse. `own`: token indices of the trigger
    phrase itself ("opened fire on a convoy": "fire" is part of the trigger, the convoy its target)."""
    if _is_verb(tok):
        agent = _subject(tok)
        patient = None
        passive = any(c.dep_ in ("nsubjpass", "auxpass") for c in tok.children)
        for c in tok.children:
            if c.i in own:
                continue
            if c.dep_ in ("dobj", "obj") or (passive and c.dep_ == "nsubjpass"):
                patient = _nearest_child(tok, (c.dep_,)) if c.dep_ == "nsubjpass" else c
                break
        if patient is not None and patient.lemma_.lower() in ("control", "possession", "hold", "charge"):
            patient = _pobj(patient, {"of", "over"}) or patient
        if patient is None:
            # "fell to the Taliban": the subject is what fell, the to-phrase who took it.
            to = _pobj(tok, {"to"})
            if tok.lemma_.lower() == "fall":
                patient = next((c for c in tok.children if c.dep_ == "nsubj"), None)
                agent = to
            else:
                patient = _pobj(tok, {"on", "against", "from", "into", "in", "at", "of", "to", "upon"})
        if tok.lemma_.lower() in ("die", "perish") and agent is not None:
            patient, agent = agent, None
        if patient is None and tok.dep_ in ("acl", "relcl") and tok.head.pos_ in ("NOUN", "PROPN"):
            patient = tok.head
        return agent, patient
    # Nominal trigger: "the capture of X by Y", "the Taliban's attack on X", "an Israeli air strike".
    agent = _pobj(tok, {"by"})
    if agent is None:
        for c in tok.children:
            if c.dep_ == "poss":
                agent = c
                break
    if agent is None:
        for c in tok.children:
            if c.dep_ in ("compound", "amod", "nmod") and (
                c.pos_ == "PROPN" or c.ent_type_ in ("NORP", "ORG", "GPE")
            ):
                agent = c
                break
    if agent is None:
        # "carried out an air strike", "militants launched an attack": the light verb's subject.
        h = tok.head
        if tok.dep_ in ("dobj", "obj") and _is_verb(h):
            agent = _subject(h)
        elif tok.dep_ == "pobj" and h.dep_ == "prep" and h.lower_ in ("in", "during") and _is_verb(h.head):
            pass  # "killed in an air strike": the verb's subject is not the striker
    patient = _pobj(tok, {"on", "against", "of", "targeting", "upon", "at"})
    if patient is None:
        for c in tok.children:
            if c.dep_ == "acl" and c.lemma_.lower() in ("target", "hit", "strike"):
                patient = next((g for g in c.children if g.dep_ in ("dobj", "obj")), None)
    return agent, patient


def _span_of(tok: Token | None) -> tuple[int | None, int | None]:
    if tok is None:
        return None, None
    left, right = tok.left_edge, tok.right_edge
    if right.i >= tok.i and any(t.text in ("—", "–", "--") for t in tok.doc[left.i : tok.i]):
        # Keep the span to the phrase after a dateline dash.
        left = next(t for t in reversed(tok.doc[left.i : tok.i + 1]) if t.text in ("—", "–", "--"))
        left = tok.doc[left.i + 1]
    return left.idx, right.idx + len(right.text)


# Measures whose of-phrase is what was taken: "seized 3 tons of marijuana", "685,000 packs of cigarettes".
_MEASURES = (
    "ton tonne kilogram kilo kg gram pound pack packet bag sack box crate bale litre liter gallon barrel "
    "batch consignment quantity amount load"
).split()


def _arg_words(tok: Token | None) -> set[str]:
    """Lemmas that characterise an argument: its head, compounds/modifiers, 'members of X'."""
    if tok is None:
        return set()
    out = set(_forms(tok))
    for c in tok.children:
        if c.dep_ in ("compound", "amod", "nmod", "poss"):
            out.update(_forms(c))
    of = _pobj(tok, {"of"})
    if of is not None and tok.lemma_.lower() in (
        "member",
        "group",
        "unit",
        "dozen",
        "hundred",
        "some",
        "many",
        "number",
        "one",
        "two",
        "three",
        "several",
        "thousand",
        "score",
        "body",
        *_MEASURES,
    ):
        out.update(_forms(of))
        for c in of.children:
            if c.dep_ in ("compound", "amod"):
                out.update(_forms(c))
    # Conjoined arguments ("soldiers and police") share a class with their first conjunct.
    for c in tok.children:
        if c.dep_ == "conj":
            out.update(_forms(c))
    return out


def _in_class(tok: Token | None, name: str, lex: _Lexicon) -> bool:
    if tok is None:
        return False
    words = _arg_words(tok)
    if words & lex.classes.get(name, set()):
        return True
    if name == "place":
        if tok.ent_type_ in _PLACE_ENTS:
            return True
        if tok.pos_ == "PROPN" and tok.ent_type_ not in ("PERSON", "NORP"):
            return True
    if name in ("person", "civilian") and tok.ent_type_ == "PERSON":
        return True
    if name == "person" and tok.pos_ == "NUM":
        return True
    return False


# ------------------------------------------------------------------------------------------------ match


def _sent_text(sent: Span) -> tuple[set[str], str]:
    table = token_table(sent.doc)
    lemmas: set[str] = set()
    for forms in _span_forms(sent):
        lemmas.update(forms)
    joined = " " + " ".join(table.lemma[sent.start : sent.end]) + " "
    lower_joined = " " + " ".join(table.lower[sent.start : sent.end]) + " "
    return lemmas, joined + "|" + lower_joined


def _has_cue(name: str, lex: _Lexicon, sent_words: set[str], sent_str: str) -> bool:
    if sent_words & lex.classes.get(name, set()):
        return True
    return any(p in sent_str for p in lex.class_phrases.get(name, []))


def _match(span: Span, lex: _Lexicon) -> list[_Cand]:
    cands: list[_Cand] = []
    covered: set[int] = set()
    doc, lo, n = span.doc, span.start, len(span)
    ent_type = token_table(doc).ent_type
    forms = _span_forms(span)
    # A word inside a date is no trigger: "In March, ..." is a month, not a demonstration.
    dated = [ent_type[lo + i] in ("DATE", "TIME") for i in range(n)]
    # Phrases first, longest first; tokens they cover are not matched again as single words.
    for i in range(n):
        if lo + i in covered or dated[i]:
            continue
        options = [o for f in dict.fromkeys(forms[i]) for o in lex.phrases.get(f, [])]
        if not options:
            continue
        options.sort(key=lambda pe: -len(pe[0]))
        best_len = 0
        for seq, entry in options:
            k = len(seq)
            if i + k > n or (best_len and k < best_len):
                continue
            if all(seq[j] in forms[i + j] for j in range(k)):
                sp = doc[lo + i : lo + i + k]
                cands.append(_Cand(tokens=list(sp), root=sp.root, entry=entry))
                best_len = k
        if best_len:
            covered.update(range(lo + i, lo + i + best_len))
    for i in range(n):
        if lo + i in covered or dated[i]:
            continue
        entries: list[_Entry] = []
        seen: set[int] = set()
        for f in forms[i]:
            for e in lex.words.get(f, []):
                if id(e) not in seen:
                    seen.add(id(e))
                    entries.append(e)
        if not entries:
            continue
        tok = doc[lo + i]
        for entry in entries:
            if entry.pos is not None:
                pos = "VERB" if _is_verb(tok) else tok.pos_
                if pos not in entry.pos:
                    continue
            cands.append(_Cand(tokens=[tok], root=tok, entry=entry))
    return cands


_TOLD_EVENT_NOUNS = frozenset(
    "fighting fight clash battle attack blast explosion bombing raid assault ambush strike shelling violence "
    "incident operation offensive firefight gunfight shootout".split()
)


def _condition(c: _Cand, cond: dict[str, Any], lex: _Lexicon, sw: set[str], ss: str) -> bool:
    for key, val in cond.items():
        if key == "patient" and not _in_class(c.patient, val, lex):
            return False
        if key == "patient_not" and _in_class(c.patient, val, lex):
            return False
        if key == "agent" and not _in_class(c.agent, val, lex):
            return False
        if key == "agent_not" and _in_class(c.agent, val, lex):
            return False
        if key == "arg" and not (_in_class(c.agent, val, lex) or _in_class(c.patient, val, lex)):
            return False
        if key == "agent_none" and (c.agent is None) != bool(val):
            return False
        if key == "patient_none" and (c.patient is None) != bool(val):
            return False
        # "four police were killed in the fighting": a toll of an event already told, not an act of its own.
        if key == "in_told_event" and bool(val) != any(
            p.dep_ == "prep"
            and p.lower_ in ("in", "during")
            and any(
                g.dep_ == "pobj"
                and g.lemma_.lower() in _TOLD_EVENT_NOUNS
                and any(d.dep_ == "det" and d.lower_ in ("the", "this", "that") for d in g.children)
                for g in p.children
            )
            for p in c.root.children
        ):
            return False
        # "killed in the fighting", "died during the clashes": deaths placed in a fight already told.
        if key == "casualty_setting" and bool(val) != (
            c.root.pos_ == "NOUN"
            and c.root.dep_ == "pobj"
            and c.root.head.lower_ in ("in", "during")
            and c.root.head.head.lemma_.lower() in ("kill", "die", "wound", "injure", "perish")
            and any(d.dep_ == "det" and d.lower_ in ("the", "this", "that") for d in c.root.children)
        ):
            return False
        # "the attack", "the blast": a definite noun that only refers back to an event already told.
        if key == "anaphoric" and bool(val) != (
            c.root.pos_ == "NOUN"
            and any(d.dep_ == "det" and d.lower_ in ("the", "this", "that") for d in c.root.children)
        ):
            return False
        if key == "sent" and not _has_cue(val, lex, sw, ss):
            return False
        # "Residents protested outside a ration shop. The police intervened.": the sentence or the one before.
        if key == "no_near" and (_has_cue(val, lex, sw, ss) or neighbour_sentence_has(c.root.sent, val, -1)):
            return False
        # "The body of a man was found in X. The victim was burned and handcuffed.": this sentence or the next.
        if key == "no_sent_or_next" and (
            _has_cue(val, lex, sw, ss) or neighbour_sentence_has(c.root.sent, val, 1)
        ):
            return False
        if key == "no_sent" and any(
            _has_cue(v, lex, sw, ss) for v in (val if isinstance(val, list) else [val])
        ):
            return False
        if key == "pos":
            pos = "VERB" if _is_verb(c.root) else c.root.pos_
            if pos != val:
                return False
        if key == "lemma" and not any(_tok_matches(t, w) for t in c.tokens for w in val):
            return False
        if key == "obj_of":
            gov = _governor(c.root)
            if gov is None or not (set(_forms(gov)) & lex.classes.get(val, set())):
                return False
        if key == "from_place":
            src = _pobj(c.root, {"from"})
            if (src is not None and _in_class(src, "place", lex)) != bool(val):
                return False
        if key == "pobj_of" and not (c.root.dep_ == "pobj" and c.root.head.lower_ in val):
            return False
        if key == "prt":
            if not any(ch.lower_ in val for ch in c.root.children if ch.dep_ in ("prt", "prep", "advmod")):
                return False
        # "fired live bullets at two Palestinians": what the fire was aimed at, when the object is the round.
        if key == "target" and not _aimed_at(c, val, lex):
            return False
        if key == "leaves_dead" and bool(val) != _leaves_dead(c.root):
            return False
        if key == "patient_of_disrupt":
            if bool(c.extra.get("disrupted")) != bool(val):
                return False
    return True


_AIM_PREPS = {"at", "on", "upon", "towards", "toward"}


def _aimed_at(c: _Cand, name: str, lex: _Lexicon) -> bool:
    """The target of fire, in class `name`: the at-phrase of the verb or of the rounds fired ("fired
    rounds at a checkpoint"). People named by nationality ("at two Palestinians") are civilians."""
    target = _pobj(c.root, _AIM_PREPS) or (_pobj(c.patient, _AIM_PREPS) if c.patient is not None else None)
    if target is None:
        return False
    if name == "civilian_target" and target.ent_type_ == "NORP" and target.tag_ == "NNPS":
        return True
    return _in_class(target, name, lex)


def _leaves_dead(verb: Token) -> bool:
    """ "left 3 fighters dead", "leaving 2 militants dead": what the verb leaves behind is dead."""
    for ch in verb.children:
        if ch.lower_ == "dead":
            return True
        if ch.dep_ in ("dobj", "ccomp", "xcomp", "oprd") and any(g.lower_ == "dead" for g in ch.children):
            return True
    return False


def _governor(tok: Token) -> Token | None:
    """The verb a nominal trigger is the object of ("defused a bomb", "a cache of rockets was found")."""
    t = tok
    for _ in range(4):
        if t.dep_ in ("compound", "amod", "nmod", "conj") or (
            t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.lower_ == "of"
        ):
            t = t.head.head if t.dep_ == "pobj" else t.head
            continue
        break
    if t.dep_ in ("dobj", "obj", "nsubjpass") and _is_verb(t.head):
        return t.head
    if t.dep_ == "nsubj" and t.head.lemma_.lower() in ("be",):
        return None
    return None


# ------------------------------------------------------------------------------------------------ state


def _ancestors_to_clause(tok: Token) -> list[Token]:
    out = [tok]
    t = tok
    while t.dep_ not in _CLAUSE_DEPS or not _is_verb(t):
        if t.head.i == t.i:
            break
        t = t.head
        out.append(t)
    return out


def _modality(c: _Cand, lex: _Lexicon) -> None:
    """Negation, hedging, the future / modal, failure."""
    tok = c.root
    chain = _ancestors_to_clause(tok)
    verb = chain[-1]
    for t in chain:
        for ch in t.children:
            if ch.dep_ == "neg":
                if t.i == tok.i or t.i == verb.i:
                    c.negated = True
            if ch.dep_ == "det" and ch.lower_ == "no" and t.i == tok.i:
                c.negated = True
            if ch.dep_ == "advmod" and ch.lemma_.lower() in lex.classes["hedge_adv"]:
                c.hedged = True
        if t.dep_ == "prep" and t.lower_ == "without" and c.tokens[0].lower_ != "without":
            c.negated = True
    auxes = [ch.lower_ for ch in verb.children if ch.dep_ in ("aux", "auxpass")]
    if any(a in _MODALS for a in auxes):
        if "have" in auxes and any(a in _HEDGE_MODALS for a in auxes):
            c.hedged = True
        elif "have" not in auxes:
            c.score = min(c.score, _MODAL_CAP)
    # Walk up through xcomp / ccomp: "threatened to capture", "denied capturing", "failed to take".
    t = verb
    for _ in range(3):
        if t.dep_ not in ("xcomp", "ccomp", "pcomp", "advcl", "acl", "relcl") or t.head.i == t.i:
            break
        gov = t.head
        if t.dep_ in ("acl", "relcl"):
            # "an attack to capture the positions", "a bid to take the city": attempted, not done.
            if gov.lemma_.lower() in _ATTEMPT_NOUNS and c.type in _TERRITORY_TYPES:
                c.type = "Armed clash"
            break
        if gov.dep_ == "prep":
            gov = gov.head
        g = gov.lemma_.lower()
        if g in lex.classes["deny"]:
            c.negated = True
        elif g in lex.classes["fail"] and t.dep_ in ("xcomp", "pcomp"):
            if c.type in _TERRITORY_TYPES:
                c.type = "Armed clash"  # fighting happened; the capture did not
            elif g == "fail":
                c.negated = True
        elif g in lex.classes["future"] and t.dep_ in ("xcomp", "pcomp"):
            c.score = min(c.score, _MODAL_CAP)
        elif g in lex.classes["hedge_verb"] and t.dep_ == "xcomp":
            c.hedged = True
        if any(ch.dep_ == "neg" for ch in gov.children) and g not in lex.classes["deny"]:
            if g in ("be", "have", "do"):
                c.negated = True
        t = gov
    # Nominal trigger under a future/denial verb: "threatened an offensive", "denied the attack".
    if not _is_verb(tok) and tok.dep_ in ("dobj", "obj"):
        g = tok.head.lemma_.lower()
        if g in lex.classes["deny"]:
            c.negated = True
        elif g in lex.classes["future"]:
            c.score = min(c.score, _MODAL_CAP)
    if not _is_verb(tok):
        for ch in tok.children:
            if ch.dep_ == "amod" and ch.lemma_.lower() in (
                "planned",
                "possible",
                "threatened",
                "potential",
                "imminent",
                "alleged",
                "future",
                "expected",
                "failed",
            ):
                if ch.lemma_.lower() == "alleged":
                    c.hedged = True
                elif ch.lemma_.lower() == "failed":
                    pass
                else:
                    c.score = min(c.score, _MODAL_CAP)


def _attribution_only(c: _Cand, sent: Span, lex: _Lexicon) -> bool:
    """Only reported as claimed, blamed or sanctioned: "X claimed responsibility for the bombing",
    "accused Y of shelling", "sanctions over the gas attack"."""
    lemmas = token_table(sent.doc).lemma
    for i in range(sent.start, min(c.root.i, sent.end)):
        if lemmas[i] not in ("responsibility", "credit"):
            continue
        t = sent.doc[i]
        if any(
            a.lemma_.lower() in ("claim", "take", "accept", "assume", "deny")
            for a in (t.head, *t.head.children)
        ):
            return True
    t = c.root
    if not _is_verb(t) and t.dep_ in ("dobj", "obj") and t.head.lemma_.lower() == "claim":
        return True
    for _ in range(6):
        if t.head.i == t.i:
            break
        t = t.head
        frames = set(_forms(t)) & lex.classes["frame"]
        if frames == {"call"} and not any(
            ch.lower_ in ("for", "on", "upon") and ch.i == t.i + 1 for ch in t.children
        ):
            continue  # "factions, called Chance and Douze, clashed": a name, not a call for anything
        # A demand over a protest word is the protesters' own ("pilgrims protested ... demanding to go
        # home", parsed with "demanding" as the head), not a frame around a reported event.
        if frames and not (c.entry.role == "protest" and frames <= _CLAIM_FRAMES):
            return True
    return False


def _held_briefly(c: _Cand, sent: Span, lex: _Lexicon, sw: set[str], ss: str) -> bool:
    """A capture or entry undone the same day: cue words after the trigger in the same sentence."""
    after = sent.doc[c.tokens[-1].i + 1 : sent.end]
    if not len(after):
        return False
    aw, astr = _sent_text(after)
    if _has_cue("held_briefly", lex, aw, astr):
        return True
    # "drove them out", "pushed the fighters back": the particle follows the object.
    return any(
        t.lemma_.lower() in _EXPEL_VERBS
        and any(ch.dep_ in ("prt", "advmod") and ch.lower_ in ("out", "back") for ch in t.children)
        for t in after
    )


def _weapon_of_person(c: _Cand, lex: _Lexicon) -> bool:
    """ "an IED facilitator", "a bomb maker", "explosives expert": the weapon names a person's trade."""
    t = c.root
    for _ in range(3):
        if t.dep_ not in ("compound", "amod", "nmod", "conj") or t.head.i == t.i:
            return False
        t = t.head
        if t.pos_ in ("NOUN", "PROPN") and set(_forms(t)) & lex.classes["role_person"]:
            return True
    return False


def _background(c: _Cand, lex: _Lexicon) -> float | None:
    """A score cap when the trigger is background to the reported event, else None.

    - under a word of role, charge or logistics: "responsible for IED attacks", "arrested in
      connection with the killing", "facilitated the movement of suicide bombers";
    - a weapon handled, not used: "supplied insurgents with explosives";
    - a relative clause describing a person: "a leader who used suicide bombers";
    - the habitual record of a described person: "He plans attacks", "The leader conducted attacks";
    - what came before: "after the attack", "following clashes" (a weaker cap)."""
    tok = c.root
    lowered = {t.i for t in c.tokens}
    t = tok
    # Up to the trigger's own clause ("responsible for planning attacks" climbs the -ing clause),
    # not beyond a main, reported or adverbial clause, nor a conjoined verb with its own subject.
    for _ in range(8):
        if t.head.i == t.i or t.dep_ in _OWN_CLAUSE:
            break
        if t.dep_ == "conj" and _is_verb(t) and any(ch.dep_ == "nsubj" for ch in t.children):
            break
        # A conjoined head is a sister event, not a governor ("linked to X and attacked Y").
        sister = t.dep_ == "conj"
        t = t.head
        if t.i in lowered or sister:
            continue
        if set(_forms(t)) & lex.classes["background_gov"]:
            return _BACKGROUND_CAP
    if c.type in _METHOD_TYPES and c.type != "Air/drone strike" and not _is_verb(tok):
        # The nearest verb over the weapon's noun phrase: "supplied insurgents with explosives",
        # "provides materials for roadside bombs".
        t = tok
        for _ in range(6):
            if t.dep_ not in _NOMINAL_LINKS or t.head.i == t.i:
                break
            t = t.head
            if _is_verb(t):
                if set(_forms(t)) & lex.classes["weapon_logistics"]:
                    return _BACKGROUND_CAP
                break
    chain = _ancestors_to_clause(tok)
    verb = chain[-1]
    # Up through conjoined verbs to the clause that has the subject: "planned and conducted attacks".
    v = verb
    while v.dep_ in ("conj", "xcomp") and v.head.i != v.i and _is_verb(v.head):
        v = v.head
    if v.dep_ in ("relcl", "acl") and v.head.pos_ in ("NOUN", "PROPN"):
        if set(_forms(v.head)) & lex.classes["role_person"] and not (
            v.head.i in lowered or any(ch.dep_ == "auxpass" for ch in v.children)
        ):
            return _BACKGROUND_CAP
    subj = next((ch for ch in v.children if ch.dep_ == "nsubj"), None)
    if subj is not None and _is_verb(v):
        described = subj.lower_ in _HABITUAL_SUBJECTS or (
            set(_forms(subj)) & lex.classes["role_person"]
            and any(ch.dep_ == "det" and ch.lower_ in ("the", "this") for ch in subj.children)
        )
        habitual = v.tag_ in ("VBZ", "VBP") and not any(ch.dep_ == "aux" for ch in v.children)
        # "conducted attacks", "conducted roadside bomb attacks": a record, not one event.
        head = tok.head if tok.dep_ in ("compound", "amod", "nmod") else tok
        plural_record = head.tag_ == "NNS" and tok.i != v.i
        if described and (habitual or plural_record):
            return _BACKGROUND_CAP
    if c.type in _PROTEST_FAMILY and not _is_verb(tok) and _earlier_unrest(tok):
        return _BACKGROUND_CAP
    # Protest words are typed by the whole sentence; a weapon named after "after" is usually the
    # same event, and the generic verb before it adopts its type ("killed after a bomb exploded").
    if c.type not in _PROTEST_FAMILY and c.type not in _METHOD_TYPES:
        if verb.dep_ == "advcl" and any(
            ch.dep_ == "mark" and ch.lower_ in _BACKGROUND_MARKS for ch in verb.children
        ):
            c.extra["before_of"] = verb.head.i
            return _BEFORE_CAP
        t = tok
        for _ in range(4):
            if t.dep_ == "pobj" and t.head.dep_ == "prep" and t.head.lower_ in _BACKGROUND_MARKS:
                c.extra["before_of"] = t.head.head.i
                return _BEFORE_CAP
            if t.dep_ not in ("compound", "amod", "conj", "pobj", "prep") or t.head.i == t.i:
                break
            t = t.head
    return None


def _earlier_unrest(tok: Token) -> bool:
    """A riot or protest noun told as what came before: "since the prison riot", "during recent riots",
    "after the protests and riots in the prisons in the previous week"."""
    t = tok
    for _ in range(4):
        if any(ch.dep_ == "amod" and ch.lower_ in _EARLIER for ch in t.children):
            return True
        if t.dep_ == "pobj" and t.head.dep_ == "prep":
            mark = t.head.lower_
            return mark == "since" or (
                mark in _BACKGROUND_MARKS and any(w.lower_ in _EARLIER for w in t.head.subtree)
            )
        if t.dep_ not in ("compound", "amod", "conj") or t.head.i == t.i:
            return False
        t = t.head
    return False


def neighbour_sentence_has(sent: Span, cue: str, step: int = -1) -> bool:
    """Whether the sentence before (`step` -1) or after (+1) this one has a word of the lexicon class `cue`."""
    doc = sent.doc
    k = sent.start - 1 if step < 0 else sent.end
    if not 0 <= k < len(doc):
        return False
    return _has_cue(cue, _lexicon(), *_sent_text(doc[k].sent))


def _mixed_fire(cands: list[_Cand], lex: _Lexicon, sw: set[str], ss: str) -> None:
    """ACLED codes shelling when indirect fire is used alone; mortars or grenades fired together with
    small arms or rifles are an armed clash. Fire one side aims at an area ("fired mortar shells and 14.5mm
    machine guns at residential villages"), with no fire returned, stays remote violence: heavy machine
    guns at an area are shelling too."""
    area = not _has_cue("two_sided", lex, sw, ss) and any(_fired_at_area(c, lex) for c in cands)
    if area:
        for c in cands:
            if (
                c.type == "Armed clash"
                and not c.drop
                and c.root.lemma_.lower() in ("gun", "machinegun")
                and _has_cue("heavy_guns", lex, sw, ss)
            ):
                c.type = "Shelling/artillery/missile attack"
        return
    if not _has_cue("direct_fire", lex, sw, ss):
        return
    for c in cands:
        if c.type in ("Shelling/artillery/missile attack", "Grenade") and not c.drop:
            c.type = "Armed clash"


def _fired_at_area(c: _Cand, lex: _Lexicon) -> bool:
    """The weapon is fired at ground rather than at a force: "fired ... at residential areas of Hays",
    "... at farms in Al Jabaliyah", "... east of Salah Complex"."""
    if c.drop or c.type not in ("Shelling/artillery/missile attack", "Armed clash"):
        return False
    t, path = c.root, [c.root]
    for _ in range(4):
        if _is_verb(t) or t.head.i == t.i:
            break
        t = t.head
        path.append(t)
    if not _is_verb(t) or t.lemma_.lower() not in ("fire", "shoot", "launch", "open", "direct"):
        return False
    # The target phrase hangs from the verb or from the weapon's noun phrase, as the parse has it.
    for tok in [*path, *(cj for t in path for cj in t.conjuncts)]:
        for prep in tok.children:
            if prep.dep_ == "prep" and prep.lower_ in ("at", "on", "towards", "toward"):
                for obj in prep.children:
                    if obj.dep_ == "pobj" and (
                        set(_forms(obj)) & lex.classes["fire_area"] or obj.ent_type_ in _PLACE_ENTS
                    ):
                        return True
            if prep.dep_ == "advmod" and prep.lower_ in ("east", "west", "north", "south"):
                return True
    return False


def _agent_nouns(cands: list[_Cand], lex: _Lexicon) -> None:
    """ "unidentified gunmen abducted a blogger": the gunmen are the agent of the abduction."""
    singles, phrases = lex.classes["agent_noun"], lex.class_phrases["agent_noun"]
    for c in cands:
        text = " " + " ".join(t.lower_ for t in c.tokens) + " "
        if c.drop or not ((len(c.tokens) == 1 and set(_forms(c.root)) & singles) or text in phrases):
            continue
        for o in cands:
            if o is c or o.drop or o.agent is None or o.root.i in {t.i for t in c.tokens}:
                continue
            if o.agent.left_edge.i <= c.root.i <= o.agent.right_edge.i:
                c.drop = True
                break


# ------------------------------------------------------------------------------------------------ api


def _someone_did_it(c: _Cand, lex: _Lexicon) -> bool:
    """The trigger's agent is a person, a force or a named group, with no hazard in its phrase: "killed by
    unidentified armed individuals" (not "killed by the blaze", "a fire at the warehouse killed")."""
    a = c.agent
    if a is None or not _is_verb(c.root):  # a noun's modifier ("Yellow Rust attack") is no doer
        return False
    table = token_table(a.doc)
    words = {table.lemma[i] for i in range(a.left_edge.i, a.right_edge.i + 1)}
    if words & (lex.classes["disaster"] | lex.classes["hazard"]):
        return False
    return (
        _in_class(a, "person", lex)
        or _in_class(a, "armed", lex)
        or a.ent_type_ in ("ORG", "NORP", "PERSON")
        or (a.pos_ == "PROPN" and a.ent_type_ not in _PLACE_ENTS)
    )


def clause_head(trigger: Trigger, doc: Doc) -> Token | None:
    """The verb heading the clause a trigger sits in (for grouping triggers of one event)."""
    span = char_span(doc, trigger.start, trigger.end)
    if span is None:
        return None
    return _ancestors_to_clause(span.root)[-1]


def _evaluate(c: _Cand, lex: _Lexicon, sw: set[str], ss: str) -> None:
    c.type, c.score = c.entry.type, c.entry.score
    c.agent, c.patient = _arguments(
        c.root, frozenset(t.i for t in c.tokens) if len(c.tokens) > 1 else frozenset()
    )
    for rule in c.entry.rules:
        cond = rule.get("if") or {}
        if _condition(c, cond, lex, sw, ss):
            if rule.get("drop"):
                c.drop = True
            if "type" in rule:
                c.type = rule["type"]
            if "score" in rule:
                c.score = float(rule["score"])
            break


def find_triggers(span: Span | Doc) -> list[Trigger]:
    """Event triggers in a sentence (or each sentence of a doc), typed to ACLED sub-event types."""
    if isinstance(span, Doc):
        out: list[Trigger] = []
        for sent in span.sents:
            out.extend(find_triggers(sent))
        return out
    lex = _lexicon()
    sw, ss = _sent_text(span)
    cands = _match(span, lex)
    for c in cands:
        _evaluate(c, lex, sw, ss)
    # Weapons that are the object of a disrupting verb are not explosions.
    _agent_nouns(cands, lex)
    for c in cands:
        if not c.drop and c.type in _METHOD_TYPES and _weapon_of_person(c, lex):
            c.drop = True
    disrupt_roots = [c for c in cands if not c.drop and c.type == "Disrupted weapons use"]
    for c in cands:
        if c.drop or c.type not in _METHOD_TYPES:
            continue
        for d in disrupt_roots:
            if d.patient is not None and d.patient.left_edge.i <= c.root.i <= d.patient.right_edge.i:
                c.drop = True
    _mixed_fire(cands, lex, sw, ss)
    # "the captured district", "abandoned outposts": an attribute, not a new event.
    for c in cands:
        if (
            c.root.dep_ == "amod"
            and c.root.tag_ in ("VBN", "VBD", "JJ")
            and c.entry.role != "method"
            and len(c.tokens) == 1
        ):
            c.drop = True
    cands = [c for c in cands if not c.drop]
    # One type per token: the most confident reading, ties by ACLED precedence.
    best: dict[int, _Cand] = {}
    for c in cands:
        k = c.root.i
        prev = best.get(k)
        if prev is None or (c.score, -PRECEDENCE[c.type]) > (prev.score, -PRECEDENCE[prev.type]):
            best[k] = c
    cands = sorted(best.values(), key=lambda c: c.root.i)

    if _has_cue("disaster", lex, sw, ss):
        # "killed in the earthquake", "injured when the boiler exploded": not political violence. Unless
        # someone did it: "killed by armed men" stays an attack when the victim was a miner.
        cands = [c for c in cands if c.entry.role != "generic" or _someone_did_it(c, lex)]
    fighting = any(c.type == "Armed clash" and not c.negated for c in cands)
    transfer = any(c.entry.role == "transfer" for c in cands)
    methods = [c for c in cands if c.type in _METHOD_TYPES]
    method_type = min((c.type for c in methods), key=PRECEDENCE.__getitem__, default=None)
    for c in cands:
        if c.entry.role == "generic" and method_type and c.type in ("Attack", "Armed clash"):
            c.type = method_type
            c.score = max(c.score, 0.6)
        if c.type in _TERRITORY_TYPES:
            if transfer and not fighting and not _held_briefly(c, span, lex, sw, ss):
                # Taken after the other side withdrew: ACLED's non-violent transfer.
                c.type = "Non-violent transfer of territory"
            elif c.agent is not None:
                # "ISIS forces", "rebel troops": a non-state modifier outranks a state head word;
                # the first conjunct speaks for "the army and allied militias".
                first = set(_forms(c.agent)) | {
                    f for ch in c.agent.children if ch.dep_ in ("compound", "amod") for f in _forms(ch)
                }
                if first & lex.classes["nonstate"]:
                    c.type = "Non-state actor overtakes territory"
                elif first & lex.classes["state"]:
                    c.type = "Government regains territory"
                elif _in_class(c.agent, "nonstate", lex):
                    c.type = "Non-state actor overtakes territory"
                elif _in_class(c.agent, "state", lex):
                    c.type = "Government regains territory"
    # What a protest is about ("protest against the killing of ...") is its topic, not an event.
    grievance: list[Token] = []
    if any(p.entry.role == "protest" for p in cands):
        doc, lo_s, hi_s = token_bounds(span)
        lemmas, verbs = token_table(doc).lemma, lex.classes["grievance_verb"]
        grievance = [doc[i] for i in range(lo_s, hi_s) if lemmas[i] in verbs and doc[i].pos_ == "VERB"]
    for p in cands:
        if p.entry.role != "protest":
            continue
        # Its object, and what it is "against" / "over" / "for": "protested against X for occupying".
        topics = [p.patient] if p.patient is not None else []
        topics += [
            ch for ch in p.root.children if ch.dep_ == "prep" and ch.lower_ in ("against", "over", "for")
        ]
        # "gathered outside the office demanding the arrest of those who torched the crops": what a
        # verb of demand or rejection in the sentence governs.
        topics += grievance
        for topic in topics:
            lo, hi = topic.left_edge.i, topic.right_edge.i
            if lo <= p.root.i <= hi:
                continue  # a phrase holding the protest itself is not what it is about
            for c in cands:
                if c is not p and lo <= c.root.i <= hi:
                    c.score = min(c.score, _ATTRIB_CAP)
                    c.extra["topic"] = True
    # Protest words take the gravest thing that happened to or in the protest (not what it is about).
    present = {
        c.type
        for c in cands
        if not c.negated
        and not c.extra.get("topic")
        and not (c.type in _PROTEST_FAMILY and _background(c, lex) == _BACKGROUND_CAP)
    }
    protest_type = next((t for t in _PROTEST_ORDER if t in present), None)
    if protest_type is not None:
        for c in cands:
            if c.entry.role == "protest" and c.type == "Peaceful protest":
                c.type = protest_type
    for c in cands:
        _modality(c, lex)
        if c.type in _TERRITORY_TYPES or (c.type == "Armed clash" and c.entry.role is None):
            c.held = _held_briefly(c, span, lex, sw, ss)
        if _attribution_only(c, span, lex):
            c.score = min(c.score, _ATTRIB_CAP)
        c.extra["cap"] = _background(c, lex)
    # "after the attack" is background only to the event it follows: a trigger it hangs from.
    main = {c.root.i for c in cands if c.extra["cap"] is None and not c.negated and c.score >= 0.3}
    for c in cands:
        cap = c.extra["cap"]
        if cap is not None and (cap == _BACKGROUND_CAP or c.extra.get("before_of") in main):
            c.score = min(c.score, cap)
    out = []
    for c in cands:
        a0, a1 = _span_of(c.agent)
        p0, p1 = _span_of(c.patient)
        start = c.tokens[0].idx
        end = c.tokens[-1].idx + len(c.tokens[-1].text)
        out.append(
            Trigger(
                start=start,
                end=end,
                text=doc_text(span.doc)[start:end],
                sub_event_type=c.type,
                negated=c.negated,
                hedged=c.hedged,
                agent_start=a0,
                agent_end=a1,
                patient_start=p0,
                patient_end=p1,
                held_briefly=c.held,
                score=round(max(0.0, min(1.0, c.score)), 3),
            )
        )
    return out


def classify_text(text: str, nlp: Language) -> str | None:
    """The top ACLED sub-event type of a short text, or None when it reports no ACLED event.

    The most confident live (not negated) trigger wins; ties go to ACLED precedence.
    """
    doc = nlp(text)
    return classify_doc(doc)


def classify_doc(doc: Doc) -> str | None:
    """`classify_text` on an already parsed doc."""
    all_trigs = find_triggers(doc)
    trigs = [t for t in all_trigs if not t.negated and t.score >= 0.3]
    if not trigs:
        return None
    lex = _lexicon()
    sw, ss = _sent_text(doc[:])
    if (
        _has_cue("disaster", lex, sw, ss)
        and not _has_cue("armed_actor", lex, sw, ss)
        and not _has_cue("deliberate", lex, sw, ss)
    ):
        # Deaths, blasts and fires in a disaster report are not political violence; a protest or a
        # mob reacting to an accident still is.
        trigs = [t for t in trigs if t.sub_event_type in _DISASTER_PROOF]
        if not trigs:
            return None
    if _has_cue("crime", lex, sw, ss) and not _has_cue("political", lex, sw, ss):
        trigs = [t for t in trigs if t.sub_event_type not in _CRIME_LIKE]
        if not trigs:
            return None
    # A snippet is usually one event told over several sentences: a protest in one sentence and
    # tear gas in the next is a protest with intervention.
    types = {t.sub_event_type for t in trigs}
    best = max(trigs, key=lambda t: (t.score, -PRECEDENCE[t.sub_event_type]))
    territory = [t for t in trigs if t.sub_event_type in _TERRITORY_TYPES and t.score >= 0.7]
    if territory and best.sub_event_type in _METHOD_TYPES and not any(t.held_briefly for t in territory):
        # ACLED precedence: a capture backed by air strikes or shelling is a Battle.
        best = territory[0]
    if "Mob violence" in types and types & {"Peaceful protest", "Protest with intervention"}:
        # Rioting told beside a demonstration, across sentences: the demonstration turned violent.
        types = (types - {"Mob violence"}) | {"Violent demonstration"}
    protest = [p for p in _PROTEST_ORDER if p in types]
    if protest and best.sub_event_type in _PROTEST_ORDER + ["Attack", "Armed clash", "Arrests"]:
        if protest[0] == "Protest with intervention" and any(
            t.sub_event_type == "Attack" and t.score >= 0.4 for t in trigs
        ):
            # Dispersal that leaves people killed or injured is excessive force.
            return "Excessive force against protesters"
        return protest[0]
    if best.sub_event_type in _TERRITORY_TYPES and "Non-violent transfer of territory" in types:
        # Fighting told as background ("withdrew following bombardment") still rules out a
        # non-violent transfer.
        fought = {t.sub_event_type for t in all_trigs if not t.negated and t.score > _MODAL_CAP}
        if not fought & (_METHOD_TYPES | {"Armed clash"}):
            # Taken after the defenders pulled out, told over two sentences.
            return "Non-violent transfer of territory"
    return best.sub_event_type


assert all(t in SUB_EVENT_TYPES for t in _PROTEST_ORDER + sorted(_METHOD_TYPES))
