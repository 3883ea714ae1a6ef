"""The faster attribute ruler and lemmatizer give exactly the stock components' annotations."""

from __future__ import annotations

from pathlib import Path

import pytest
import spacy
from spacy.attrs import DEP, HEAD, LEMMA, MORPH, POS, TAG
from spacy.tokens import Doc

from frontlines.config import SPACY_MODEL
from frontlines.nlp.speedups import AttributeRules, CachedLemmatizer, StandIn, speed_up

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "afghanistan-2021"

# Sentences that reach the model's rarer rules: two-token rules (gonna, let's, y'all, ain't), a regular
# expression (nothin'), an expletive "there were", determiners used as pronouns, auxiliaries, and
# whitespace tokens, which the ruler gives a dependency label.
HARD = [
    "Y'all gonna see that the commanders ain't leaving, let's be clear, a spokesman said.",
    "There were clashes in Kunduz and there is nothin' left of the checkpoint.",
    "That was all: those who fled had been disarmed, and this could not be confirmed.",
    "Militants   attacked the post.\n\nThey were pushed back on Friday.  Gotta go, c'mon.",
    "It's the Taliban's 85 percent claim; the government's figure is lower.",
]

ATTRS = [POS, TAG, MORPH, LEMMA, DEP, HEAD]


def _texts() -> list[str]:
    texts = list(HARD)
    texts += [p.read_text(encoding="utf-8") for p in sorted(EXAMPLES.glob("*.md"))]
    return texts


@pytest.fixture(scope="module")
def pipelines() -> tuple[spacy.Language, spacy.Language]:
    stock = spacy.load(SPACY_MODEL)
    fast = spacy.load(SPACY_MODEL)
    speed_up(fast)
    return stock, fast


def _annotations(doc: Doc) -> list[list[int]]:
    return doc.to_array(ATTRS).tolist()


def test_stand_ins_are_in_the_pipeline(pipelines: tuple[spacy.Language, spacy.Language]) -> None:
    _, fast = pipelines
    ruler, lemmatizer = fast.get_pipe("attribute_ruler"), fast.get_pipe("lemmatizer")
    assert isinstance(ruler, StandIn) and isinstance(ruler.inner, AttributeRules)
    assert isinstance(lemmatizer, StandIn) and isinstance(lemmatizer.inner, CachedLemmatizer)
    assert fast.pipe_names == spacy.load(SPACY_MODEL).pipe_names  # same order, same names


def test_frontlines_pipeline_uses_them() -> None:
    from frontlines.nlp import load_nlp

    assert isinstance(load_nlp().get_pipe("attribute_ruler"), StandIn)


def test_same_annotations_as_the_stock_pipeline(pipelines: tuple[spacy.Language, spacy.Language]) -> None:
    stock, fast = pipelines
    texts = _texts()
    assert len(texts) > 10
    # Twice over: the second pass reads the memos filled by the first.
    for _ in range(2):
        for a, b in zip(stock.pipe(texts), fast.pipe(texts), strict=True):
            assert _annotations(a) == _annotations(b), a.text[:80]
            assert [t.lemma_ for t in a] == [t.lemma_ for t in b]


def test_rare_rules_fire(pipelines: tuple[spacy.Language, spacy.Language]) -> None:
    _, fast = pipelines
    doc = fast("Y'all gonna see, there were clashes and nothin' else.")
    lemmas = {t.text: t.lemma_ for t in doc}
    assert lemmas["gon"] == "go" and lemmas["na"] == "to"  # a two-token rule, both positions
    assert lemmas["nothin'"] == "nothing"  # a regular-expression rule
    assert [t.pos_ for t in doc if t.lower_ == "were"] == ["VERB"]  # "there were": expletive rule


def test_a_rule_it_cannot_evaluate_keeps_the_stock_ruler() -> None:
    nlp = spacy.blank("en")
    ruler = nlp.add_pipe("attribute_ruler")
    ruler.add([[{"LOWER": "big"}, {"LOWER": "guns", "OP": "+"}]], {"LEMMA": "gun"})
    assert AttributeRules.compile(ruler) is None
    speed_up(nlp)
    assert not isinstance(nlp.get_pipe("attribute_ruler"), StandIn)


def test_the_pipeline_tokenizes_as_the_model_saved_it() -> None:
    """The model's tokenizer is not read from disk when it equals the language's default one."""
    from frontlines.nlp import build_nlp

    built = build_nlp(ruler=False)
    saved = (built.path / "tokenizer").read_bytes()
    assert built.tokenizer.to_bytes(exclude=["vocab"]) == saved
    text = "Y'all can't e-mail U.S. officials at 3:30pm re: the 2nd Bn.'s Kunduz-Baghlan road, i.e. $5m."
    stock = spacy.load(SPACY_MODEL)
    assert [t.text for t in built.make_doc(text)] == [t.text for t in stock.make_doc(text)]


def test_a_model_with_its_own_tokenizer_keeps_it(tmp_path: Path) -> None:
    """A model whose saved tokenizer differs from the default (a special case added) is read in full."""
    from spacy.attrs import ORTH

    from frontlines.nlp import build_nlp

    custom = spacy.load(SPACY_MODEL)
    custom.tokenizer.add_special_case("Kunduzcity", [{ORTH: "Kunduz"}, {ORTH: "city"}])
    custom.to_disk(tmp_path / "model")
    built = build_nlp(str(tmp_path / "model"), ruler=False)
    assert [t.text for t in built.make_doc("Kunduzcity fell")] == ["Kunduz", "city", "fell"]
    assert [t.text for t in spacy.load(SPACY_MODEL).make_doc("Kunduzcity fell")] == ["Kunduzcity", "fell"]


def test_token_table_and_char_spans_read_as_the_doc_does() -> None:
    """The per-Doc string table and span cache the components scan give what spaCy's Tokens give."""
    from frontlines.nlp import char_span, load_nlp, token_table

    text = " ".join(_texts()[:8])
    doc = load_nlp()(text)
    table = token_table(doc)
    assert table.lower == [t.lower_ for t in doc]
    assert table.lemma == [t.lemma_.lower() for t in doc]
    assert table.ent_type == [t.ent_type_ for t in doc]
    assert table.pos == [t.pos_ for t in doc]
    for start, end in [(0, 5), (3, 17), (len(text) - 9, len(text)), (40, 40)]:
        for _ in range(2):  # the second lookup reads the cache
            want = doc.char_span(start, end, alignment_mode="expand")
            got = char_span(doc, start, end)
            assert (got is None, got and (got.start, got.end)) == (
                want is None,
                want and (want.start, want.end),
            )
