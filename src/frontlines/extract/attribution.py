"""Attribution and certainty: who says so, and how sure the report is.

`find_attribution` reads the speaker off the parse: the subject of a reporting verb ("a spokesman for the
Kandahar governor said"), the object of "according to", or the agent of a passive ("was reported by").
Certainty follows ACLED's reading of sources:

* ``disputed``: the sentence, or a neighbouring one the caller passes, carries a denial;
* ``claimed``: hedging words ("claimed", "allegedly", "could not be independently verified"), or a party to
  the fighting reporting its own gains (the Taliban claiming a district, a ministry claiming enemy dead);
* ``reported`` otherwise.

The cue lists are small closed classes of English function words, so they live here rather than in data.
"""

from __future__ import annotations

import re
from datetime import date

from spacy.tokens import Doc, Span, Token

from frontlines.extract.actors import ARMED, NONSTATE_ARMED, find_actors
from frontlines.extract.mentions import Actor, ActorMention, Attribution
from frontlines.nlp import doc_text, span_text, token_bounds, token_table

__all__ = ["certainty_of", "find_attribution", "is_hedged"]

# Verbs that introduce a source (lemmas).
REPORTING_LEMMAS = frozenset(
    {
        "say",
        "tell",
        "claim",
        "confirm",
        "deny",
        "announce",
        "report",
        "state",
        "add",
        "quote",
        "allege",
        "insist",
        "tweet",
        "warn",
        "acknowledge",
        "admit",
        "assert",
        "maintain",
        "declare",
        "note",
        "explain",
        "write",
    }
)
# "claim" is also a capture verb ("claimed the district"); as a source verb it takes a clause or these objects.
_CLAIM_OBJECTS = frozenset(
    {"responsibility", "credit", "control", "capture", "victory", "seizure", "killing"}
)
_PRONOUNS = frozenset({"he", "she", "they", "it", "we", "i", "you", "who", "which", "that"})
# Gains a party may claim: territory and enemy losses.
_GAIN_LEMMAS = frozenset(
    {
        "capture",
        "seize",
        "take",
        "overrun",
        "control",
        "recapture",
        "retake",
        "clear",
        "liberate",
        "kill",
        "destroy",
        "repel",
        "repulse",
        "eliminate",
        "neutralise",
        "neutralize",
        "inflict",
        "defeat",
        "wound",
        "injure",
        "arrest",
        "push",
        "surrender",
        "free",
        "enter",
        "storm",
        "shoot",
    }
)
# A different armed side as subject of these is a loss for it, so a gain for the speaker.
_LOSS_LEMMAS = frozenset({"flee", "retreat", "suffer", "surrender", "withdraw", "lose", "abandon", "escape"})
_EMBEDDED_DEPS = frozenset({"relcl", "acl", "amod", "pcomp", "csubj", "compound"})
_FINITE_TAGS = frozenset({"VBD", "VBZ", "VBP", "MD"})
_DENIAL_LEMMAS = frozenset({"deny", "refute", "dispute", "contradict"})
# "rejected the claim", "dismissed the reports as propaganda": denial only with these objects.
_DENIAL_SOFT = frozenset({"reject", "dismiss"})
_DENIAL_WORDS = _DENIAL_LEMMAS | _DENIAL_SOFT
_DENIED_OBJECTS = frozenset({"claim", "report", "allegation", "account", "statement", "assertion", "figure"})
_DENIAL_RE = re.compile(
    r"\b(?:den(?:y|ies|ied|ying|ial)|refut\w*|disput\w*|contradict\w*|"
    r"(?:rejected|rejects|dismissed|dismisses)\s+(?:\w+\s+){0,2}(?:claims?|reports?|allegations?|accounts?))\b",
    re.I,
)
_CLAIM_RE = re.compile(
    r"\b(?:claim\w*|alleged(?:ly)?|purported(?:ly)?|reportedly|unconfirmed|unverified|"
    r"(?:could|can|has|have|had|was|were)\s*(?:not|n't)\s+(?:be\s+|been\s+)?(?:independently\s+)?(?:verif|confirm)\w*|"
    r"not\s+(?:been\s+)?independently\s+(?:verif|confirm)\w*)",
    re.I,
)
_HEDGE_RE = re.compile(
    r"\b(?:may|might|could)\s+(?:also\s+)?have\b|\bpossibl[ey]\b|\bperhaps\b|"
    r"\b(?:it\s+)?(?:was|is|remains|remained)\s+(?:not\s+(?:immediately\s+|yet\s+)?clear|unclear)\s+"
    r"(?:whether|if|how|who|what)\b|\bunclear\s+whether\b",
    re.I,
)


def is_hedged(span: Doc | Span | str) -> bool:
    """True when the text hedges the event itself ("may have", "possibly", "it was not clear whether")."""
    text = span if isinstance(span, str) else span_text(span)
    return bool(_HEDGE_RE.search(text))


def _clip(doc: Doc, start: int, end: int, lo: int, hi: int) -> tuple[int, int]:
    """Token range clipped to the span, without edge punctuation."""
    start, end = max(start, lo), min(end, hi)
    while start < end and (doc[start].is_punct or doc[start].is_space):
        start += 1
    while end > start and (doc[end - 1].is_punct or doc[end - 1].is_space):
        end -= 1
    return start, end


def _speakers(span: Span) -> list[tuple[int, int, Token, int]]:
    """Candidate speaker token ranges: (start, end, cue token, rank); lower rank is preferred."""
    doc = span.doc
    lo, hi = span.start, span.end
    out: list[tuple[int, int, Token, int]] = []
    table = token_table(doc)
    # Tokens only where a cue word stands (the token table is read, not a Token built per word).
    cues = (
        doc[i]
        for i in range(lo, hi)
        if table.lower[i] == "according"
        or (table.lemma[i] in REPORTING_LEMMAS and table.pos[i] in ("VERB", "AUX"))
    )
    for t in cues:
        if t.lower_ == "according":
            to = next((c for c in t.children if c.lower_ == "to"), None)
            if to is None and t.i + 1 < hi and doc[t.i + 1].lower_ == "to":
                to = doc[t.i + 1]
            pobj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
            if pobj is not None:
                s, e = _clip(
                    doc, pobj.left_edge.i, _source_end(pobj, fronted=t.i <= t.sent.start + 1), lo, hi
                )
                if s < e:
                    out.append((s, e, t, 0))
            continue
        if t.pos_ not in ("VERB", "AUX") or t.lemma_.lower() not in REPORTING_LEMMAS:
            continue
        lemma = t.lemma_.lower()
        if lemma == "claim" and not _claim_is_report(t):
            continue
        if t.dep_ in _EMBEDDED_DEPS:
            continue  # "a truce that both sides announced": not a source for this sentence
        # The passive subject is what is reported ("villages were reported captured"), except with
        # "quoted" ("he was quoted as saying").
        subj_deps = ("nsubj", "nsubjpass") if lemma == "quote" else ("nsubj",)
        subj = [c for c in t.children if c.dep_ in subj_deps]
        agent = [p for c in t.children if c.dep_ == "agent" for p in c.children if p.dep_ == "pobj"]
        who = agent or [s for s in subj if s.lower_ != "it"]
        if not who and t.dep_ == "conj" and t.head.lemma_.lower() in REPORTING_LEMMAS:
            # "officials confirmed the attack and said ..." (not "districts fell and were reported ...")
            who = [c for c in t.head.children if c.dep_ == "nsubj"]
        for w in who:
            s, e = _clip(doc, w.left_edge.i, w.right_edge.i + 1, lo, hi)
            if s >= e:
                continue
            rank = 1 if t.dep_ == "ROOT" else 2
            if e - s == 1 and doc[s].lower_ in _PRONOUNS:
                rank += 10  # keep pronoun speakers only as a last resort
            out.append((s, e, t, rank))
    return out


def _source_end(head: Token, *, fronted: bool = False) -> int:
    """End of a source phrase: its subtree, cut at a comma that starts a new clause (a misparse that
    hangs the main clause under "according to ..."). A fronted "According to X, ..." ends at its comma."""
    doc = head.doc
    end = head.right_edge.i + 1
    for i in range(head.i + 1, end):
        if doc[i].text == "," and (fronted or any(_main_verb(doc[j]) for j in range(i + 1, end))):
            return i
    return end


def _main_verb(t: Token) -> bool:
    """A finite verb outside any relative clause ("who speaks for ..." does not end a source phrase)."""
    return t.tag_ in _FINITE_TAGS and not any(a.dep_ in ("relcl", "acl") for a in [t, *t.ancestors])


def _claim_is_report(t: Token) -> bool:
    """'claimed that ...' / 'claimed responsibility' are sources; 'claimed the district' is a capture."""
    objs = [c for c in t.children if c.dep_ == "dobj"]
    if any(c.dep_ in ("ccomp", "xcomp") for c in t.children):
        return True
    if not objs:
        return True
    return any(o.lemma_.lower() in _CLAIM_OBJECTS for o in objs)


def _denied(span: Span | Doc | str | None) -> bool:
    if span is None:
        return False
    if isinstance(span, str):
        return bool(_DENIAL_RE.search(span))
    doc, lo, hi = token_bounds(span)
    table = token_table(doc)
    for t in (doc[i] for i in range(lo, hi) if table.lemma[i] in _DENIAL_WORDS or table.lower[i] == "denial"):
        lemma = t.lemma_.lower()
        if lemma in _DENIAL_LEMMAS or (t.lower_ == "denial"):
            return True
        if lemma in _DENIAL_SOFT:
            objs = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass")]
            if any(o.lemma_.lower() in _DENIED_OBJECTS for o in objs):
                return True
    return False


def _party_claim(span: Span, speaker: Actor, mentions: list[ActorMention], cue: Token | None = None) -> bool:
    """A party to the fighting reporting its own gains: its own captures, or enemy losses."""
    doc = span.doc
    # Inside the speaker's own clause ("the Taliban said they had ..."), "they" is the speaker.
    reported = {t.i for t in cue.subtree} if cue is not None else set()
    for t in span:
        lemma = t.lemma_.lower()
        if t.pos_ != "VERB" or (lemma not in _GAIN_LEMMAS and lemma not in _LOSS_LEMMAS):
            continue
        subj_tokens = [c for c in t.children if c.dep_ in ("nsubj", "agent")]
        if not subj_tokens and t.dep_ == "conj":  # "... entered the town and seized two tanks"
            subj_tokens = [c for c in t.head.children if c.dep_ in ("nsubj", "agent")]
        obj_tokens = [c for c in t.children if c.dep_ in ("dobj", "nsubjpass")]
        if lemma in _LOSS_LEMMAS:
            # "the insurgents fled": the other side's retreat is the speaker's gain.
            subj_tokens, obj_tokens = [], subj_tokens
        for side, wanted_self in ((subj_tokens, True), (obj_tokens, False)):
            for tok in side:
                selves = ("we", "our", "they", "their") if t.i in reported else ("we", "our")
                if wanted_self and any(w.lower_ in selves for w in tok.subtree):
                    return True  # "we have taken the district", "our fighters killed ..."
                lo, hi = doc[tok.left_edge.i].idx, doc[tok.right_edge.i].idx + len(doc[tok.right_edge.i])
                for m in mentions:
                    if m.actor is None or not (lo <= m.start and m.end <= hi):
                        continue
                    own = m.actor.name == speaker.name
                    if wanted_self and own:
                        return True
                    if not wanted_self and not own and m.actor.inter in ARMED:
                        return True
    return False


def certainty_of(
    span: Span | Doc,
    *,
    speaker_actor: Actor | None = None,
    mentions: list[ActorMention] | None = None,
    context: Span | Doc | str | None = None,
    cue: Token | None = None,
) -> str:
    """ACLED-style certainty of a sentence: ``disputed``, ``claimed`` or ``reported``."""
    sent = span[:] if isinstance(span, Doc) else span
    if _denied(sent) or _denied(context):
        return "disputed"
    if _CLAIM_RE.search(span_text(sent)):
        return "claimed"
    if speaker_actor is not None and speaker_actor.inter in ARMED and mentions is not None:
        if _party_claim(sent, speaker_actor, mentions, cue):
            return "claimed"
    return "reported"


def find_attribution(
    span: Span | Doc,
    *,
    main_actor: Actor | None = None,
    country: str | None = None,
    on: date | None = None,
    context: Span | Doc | str | None = None,
) -> Attribution | None:
    """Who says so in this sentence, with the speaker's character span and the report's certainty.

    `context` is a neighbouring sentence checked for denials. Returns None when the text states the event
    itself; `certainty_of` still gives the certainty then ("reportedly", "allegedly").
    """
    sent = span[:] if isinstance(span, Doc) else span
    cands = _speakers(sent)
    if not cands:
        return None
    s, e, cue, _rank = min(cands, key=lambda c: (c[3], c[0]))
    doc = sent.doc
    start, end = doc[s].idx, doc[e - 1].idx + len(doc[e - 1])
    mentions = find_actors(sent, country=country, main_actor=main_actor, on=on)
    speaker = next((m.actor for m in mentions if m.actor and start <= m.start and m.end <= end), None)
    if main_actor is None and speaker is not None and speaker.inter in NONSTATE_ARMED:
        # A group's own spokesman: "the group" and "fighters" in its statement are the group itself.
        mentions = find_actors(sent, country=country, main_actor=speaker, on=on)
    certainty = certainty_of(sent, speaker_actor=speaker, mentions=mentions, context=context, cue=cue)
    return Attribution(
        start=start, end=end, text=doc_text(doc)[start:end], certainty=certainty, speaker_actor=speaker
    )
