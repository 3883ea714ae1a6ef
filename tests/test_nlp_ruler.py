"""The place ruler on a blank pipeline with hand-written patterns (no model, no gazetteer)."""

from __future__ import annotations

import spacy

import frontlines.nlp  # noqa: F401 - registers the "frontlines_place_ruler" factory

PATTERNS = [
    {"label": "GPE", "pattern": "Spin Boldak", "id": "AF.KDH.spin_boldak"},
    {"label": "GPE", "pattern": "Kandahar", "id": "AF.KDH"},
    {"label": "GPE", "pattern": "Kandahar Airfield", "id": "AF.KDH.airfield"},
    {"label": "GPE", "pattern": "Nahr-e Saraj", "id": "AF.HEL.nahr_e_saraj"},
    {"label": "GPE", "pattern": "Mazar-i-Sharif", "id": "AF.BAL.mazar"},
    {"label": "LOC", "pattern": "cannot", "id": "x"},  # a tokenizer special case: split as "can" + "not"
]


def _ents(text: str) -> list[tuple[str, str, str]]:
    nlp = spacy.blank("en")
    nlp.add_pipe("frontlines_place_ruler").add_patterns(PATTERNS)
    return [(e.text, e.label_, e.id_) for e in nlp(text).ents]


def test_multiword_and_case_insensitive() -> None:
    assert _ents("Fighters reached SPIN BOLDAK and kandahar.") == [
        ("SPIN BOLDAK", "GPE", "AF.KDH.spin_boldak"),
        ("kandahar", "GPE", "AF.KDH"),
    ]


def test_longest_name_wins_over_its_prefix() -> None:
    assert _ents("Rockets hit Kandahar Airfield overnight.") == [
        ("Kandahar Airfield", "GPE", "AF.KDH.airfield")
    ]


def test_names_with_hyphens_go_through_the_tokenizer() -> None:
    # "Nahr-e" and "Mazar-i-Sharif" are split by the tokenizer's infix rules; the pattern must be too.
    assert _ents("Clashes in Nahr-e Saraj and Mazar-i-Sharif.") == [
        ("Nahr-e Saraj", "GPE", "AF.HEL.nahr_e_saraj"),
        ("Mazar-i-Sharif", "GPE", "AF.BAL.mazar"),
    ]


def test_tokenizer_special_cases_are_tokenised_like_the_text() -> None:
    assert _ents("They cannot leave.") == [("cannot", "LOC", "x")]


def test_no_partial_word_matches() -> None:
    assert _ents("The Kandahari delegation and Spin met.") == []


def test_plain_names_are_split_as_the_tokenizer_splits_them() -> None:
    from frontlines.geo.gazetteer import get_gazetteer
    from frontlines.nlp import plain_words

    tokenizer = spacy.blank("en").tokenizer
    special = tokenizer.rules or {}
    assert plain_words("Al-Hasakah", special) == ["Al", "-", "Hasakah"]
    assert plain_words("Kabul's airport", special) is None  # left to the tokenizer
    names = [p["pattern"] for p in get_gazetteer().ruler_patterns()]
    checked = 0
    for name in names:
        words = plain_words(name, special)
        if words is not None:
            assert words == [t.text for t in tokenizer(name)], name
            checked += 1
    assert checked > 5000


def test_the_islamic_state_acronym_is_read_as_a_name_not_a_verb() -> None:
    from frontlines.nlp import load_nlp

    nlp = load_nlp()
    doc = nlp("The militia carried out an operation in Diyala province, leaving 2 IS militants dead.")
    acronym = next(t for t in doc if t.text == "IS")
    assert acronym.pos_ not in ("AUX", "VERB")
    assert acronym.head.text == "militants"  # "IS militants", the object of "leaving"
    # In a line set in capitals the word keeps its reading.
    doc = nlp("THE WAR IS OVER, THE GENERAL SAID.")
    assert next(t for t in doc if t.text == "IS").pos_ in ("AUX", "VERB")


def test_english_words_are_read_once_a_pipeline_is_built(monkeypatch) -> None:
    import frontlines.nlp as nlp_mod

    built = nlp_mod.load_nlp()
    monkeypatch.setattr(nlp_mod, "_ENGLISH", [])
    monkeypatch.setattr(nlp_mod, "_BUILT", [])
    assert nlp_mod.english_words() == frozenset()  # nothing to read yet, and nothing kept
    monkeypatch.setattr(nlp_mod, "_BUILT", [built])
    assert {"parliament", "van"} <= nlp_mod.english_words()
