"""Stand-ins for two stock components of the model that give the same annotations in less time.

The model's `attribute_ruler` runs a Matcher over every token and then builds a Span and sets the
attributes once per match, in Python: on the bench corpus it cost 2.5 s of a 19 s parse, more than the
tagger and the lemmatizer together. Its 179 rules mostly test one token's tag, lower-case form or
dependency label, so the rules that fire for a token depend only on those features: `AttributeRules`
computes them once per distinct feature tuple and applies the merged result. `CachedLemmatizer` memoises the
stock lemmatizer on the features its result depends on.

Both wrap the stock component and use its tables, so a model update changes nothing here. A rule in a
form this code does not evaluate (an operator, a predicate other than IN / NOT_IN / REGEX) makes
`AttributeRules.compile` refuse and the stock component stays in the pipeline. The test suite compares
annotations with the stock pipeline's on the bundled reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from spacy.attrs import DEP, IS_SPACE, LEMMA, LOWER, MORPH, ORTH, POS, TAG
from spacy.language import Language
from spacy.pipeline import AttributeRuler, Lemmatizer
from spacy.strings import get_string_id
from spacy.tokens import Doc
from spacy.tokens._retokenize import set_token_attrs

_FEATURES = {"TAG": 0, "LOWER": 1, "DEP": 2, "IS_SPACE": 3}  # column in the feature tuple
_ARRAY = [TAG, LOWER, DEP, IS_SPACE]
_CACHE_LIMIT = 200_000  # distinct feature tuples kept; cleared beyond this so memory stays flat

Test = Callable[[tuple[int, ...]], bool]


def _test(column: int, value: object, strings: object) -> Test:
    """One key of a token pattern as a test of a feature tuple, with the Matcher's semantics."""
    if isinstance(value, bool):
        want = int(value)
        return lambda f: f[column] == want
    if isinstance(value, str):
        want = get_string_id(value)
        return lambda f: f[column] == want
    if isinstance(value, dict) and len(value) == 1:
        ((op, arg),) = value.items()
        if op == "IN" and isinstance(arg, list):
            ids = frozenset(get_string_id(v) for v in arg)
            return lambda f: f[column] in ids
        if op == "NOT_IN" and isinstance(arg, list):
            ids = frozenset(get_string_id(v) for v in arg)
            return lambda f: f[column] not in ids
        if op == "REGEX" and isinstance(arg, str):
            rx = re.compile(arg)
            return lambda f: bool(rx.search(strings[f[column]]))  # type: ignore[index]
    raise ValueError(f"unsupported pattern value {value!r}")


class AttributeRules:
    """The stock attribute ruler's rules, evaluated per distinct token features."""

    def __init__(self, ruler: AttributeRuler) -> None:
        self.ruler = ruler
        strings = ruler.vocab.strings
        single: list[tuple[int, list[Test]]] = []
        multi: list[tuple[int, list[list[Test]], int]] = []
        for attr_id, entry in enumerate(ruler.patterns):
            index = entry["index"]
            for pattern in entry["patterns"]:
                specs = []
                for spec in pattern:
                    tests = []
                    for key, value in spec.items():
                        if key not in _FEATURES:
                            raise ValueError(f"unsupported pattern key {key!r}")
                        tests.append(_test(_FEATURES[key], value, strings))
                    specs.append(tests)
                if len(specs) == 1:
                    if index not in (0, -1):
                        raise ValueError(f"index {index} outside a one-token pattern")
                    single.append((attr_id, specs[0]))
                else:
                    multi.append((attr_id, specs, index if index >= 0 else len(specs) + index))
        self._single = single
        self._multi = multi
        self._attrs = ruler.attrs
        self._profiles: dict[tuple[int, ...], tuple[tuple[int, ...], frozenset[tuple[int, int]]]] = {}
        self._merged: dict[tuple[int, ...], dict] = {}

    @classmethod
    def compile(cls, ruler: AttributeRuler) -> AttributeRules | None:
        """The fast form of `ruler`, or None when a rule is in a form this class does not evaluate."""
        try:
            return cls(ruler)
        except ValueError:
            return None

    def _profile(self, features: tuple[int, ...]) -> tuple[tuple[int, ...], frozenset[tuple[int, int]]]:
        """The one-token rules that fire on these features, and the (rule, position) steps of the
        longer rules that these features satisfy."""
        profile = self._profiles.get(features)
        if profile is None:
            if len(self._profiles) > _CACHE_LIMIT:
                self._profiles.clear()
            fired = tuple(attr_id for attr_id, tests in self._single if all(t(features) for t in tests))
            steps = frozenset(
                (n, k)
                for n, (_, specs, _) in enumerate(self._multi)
                for k, tests in enumerate(specs)
                if all(t(features) for t in tests)
            )
            profile = self._profiles[features] = (fired, steps)
        return profile

    def _attrs_for(self, fired: tuple[int, ...]) -> dict:
        # Later rules win, as the stock ruler applies matches sorted by rule number; the attributes a
        # rule sets (POS, TAG, MORPH, LEMMA) are separate fields, so one merged update is the same.
        merged = self._merged.get(fired)
        if merged is None:
            merged = {}
            for attr_id in sorted(fired):
                merged.update(self._attrs[attr_id])
            self._merged[fired] = merged
        return merged

    def __call__(self, doc: Doc) -> Doc:
        profiles = [self._profile(tuple(r)) for r in doc.to_array(_ARRAY).tolist()]
        extra: dict[int, list[int]] = {}
        for i, (_, steps) in enumerate(profiles):
            for n, k in steps:
                if k:
                    continue
                attr_id, specs, index = self._multi[n]
                if i + len(specs) <= len(profiles) and all(
                    (n, j) in profiles[i + j][1] for j in range(1, len(specs))
                ):
                    extra.setdefault(i + index, []).append(attr_id)
        # Every rule is matched on the annotations as they came in, then applied, as the stock ruler does.
        for i, (fired, _) in enumerate(profiles):
            if i in extra:
                fired = tuple(sorted({*fired, *extra[i]}))
            if fired:
                attrs = self._attrs_for(fired)
                if attrs:
                    set_token_attrs(doc[i], attrs)
        return doc


class CachedLemmatizer:
    """The stock rule lemmatizer, memoised on what its result depends on: the word, its part of speech
    and its morphology (the stock cache is keyed the same way but skips the words it returns early for,
    such as base forms and proper nouns, which are most of a news text)."""

    def __init__(self, lemmatizer: Lemmatizer) -> None:
        self.lemmatizer = lemmatizer
        self._memo: dict[tuple[int, int, int], int] = {}

    def __call__(self, doc: Doc) -> Doc:
        lem = self.lemmatizer
        if lem.overwrite or lem.mode != "rule" or not lem._validated:
            return lem(doc)  # the first call validates the tables
        memo, strings = self._memo, doc.vocab.strings
        for i, (orth, pos, morph, lemma) in enumerate(doc.to_array([ORTH, POS, MORPH, LEMMA]).tolist()):
            if lemma:
                continue
            token = doc[i]
            key = (orth, pos, morph)
            value = memo.get(key)
            if value is None:
                if len(memo) > _CACHE_LIMIT:
                    memo.clear()
                value = memo[key] = strings.add(lem.lemmatize(token)[0])
            token.lemma = value
        return doc


class StandIn:
    """A pipeline slot whose work is done by another object. spaCy adds components by factory name
    only, and a factory's config cannot carry the stock component that the stand-in wraps."""

    def __init__(self) -> None:
        self.inner: Callable[[Doc], Doc] | None = None

    def __call__(self, doc: Doc) -> Doc:
        if self.inner is None:
            raise RuntimeError("stand-in component used before its inner component was set")
        return self.inner(doc)


@Language.factory("frontlines_stand_in")
def _make_stand_in(nlp: Language, name: str) -> StandIn:
    return StandIn()


def speed_up(nlp: Language) -> None:
    """Swap the model's attribute ruler and lemmatizer for their faster forms, where they apply."""
    components = dict(nlp.pipeline)
    ruler = components.get("attribute_ruler")
    if isinstance(ruler, AttributeRuler):
        rules = AttributeRules.compile(ruler)
        if rules is not None:
            _swap(nlp, "attribute_ruler", rules)
    lemmatizer = components.get("lemmatizer")
    if isinstance(lemmatizer, Lemmatizer):
        _swap(nlp, "lemmatizer", CachedLemmatizer(lemmatizer))


def _swap(nlp: Language, name: str, component: Callable[[Doc], Doc]) -> None:
    at = nlp.pipe_names.index(name)
    nlp.remove_pipe(name)
    following = nlp.pipe_names[at] if at < len(nlp.pipe_names) else None
    stand_in = nlp.add_pipe("frontlines_stand_in", name=name, before=following)
    stand_in.inner = component
