"""Attribution spans (exact offsets), speaker actors, certainty classes and hedging."""

from __future__ import annotations

import pytest

from frontlines.extract.attribution import certainty_of, find_attribution, is_hedged
from frontlines.extract.mentions import Actor

AFG = "Afghanistan"
TALIBAN = Actor("Taliban", "Rebel group", AFG)


def attribution(nlp, text: str, **kw):
    doc = nlp(text)
    att = find_attribution(doc, country=AFG, **kw)
    if att is not None:
        # Evidence must be the exact slice of the document text.
        assert doc.text[att.start : att.end] == att.text
    return att


@pytest.mark.parametrize(
    "text,speaker",
    [
        (
            "Insurgents stormed the city overnight, a spokesman for the Kandahar governor said.",
            "a spokesman for the Kandahar governor",
        ),
        (
            "According to local officials, the district fell on Friday after heavy fighting.",
            "local officials",
        ),
        (
            "Taliban spokesman Zabihullah Mujahid said on Twitter that the group had entered the town.",
            "Taliban spokesman Zabihullah Mujahid",
        ),
        (
            "The ministry of defence said in a statement that the airport was secure.",
            "The ministry of defence",
        ),
        (
            "A provincial council member told reporters that the soldiers had fled across the border.",
            "A provincial council member",
        ),
        ('"The road is closed," said a police commander in Herat.', "a police commander in Herat"),
        ("Two schools were burned, it was reported by the district chief.", "the district chief"),
    ],
)
def test_speaker_spans(nlp, text: str, speaker: str) -> None:
    att = attribution(nlp, text)
    assert att is not None
    assert att.text == speaker
    assert att.start == text.index(speaker)


def test_exact_offsets_inside_a_longer_document(nlp) -> None:
    text = "Fighting continued. Markets stayed shut in the east, according to residents of the town."
    doc = nlp(text)
    sent = list(doc.sents)[1]
    att = find_attribution(sent, country=AFG)
    assert att is not None and att.text == "residents of the town"
    assert (att.start, att.end) == (text.index("residents"), len(text) - 1)


def test_source_phrase_boundaries(nlp) -> None:
    text = "According to a report released on Monday by a research group, the militants hold 12 districts."
    assert attribution(nlp, text).text == "a report released on Monday by a research group"
    text = "Nine people were hurt, according to Omar Zaki, who works for the provincial health office."
    assert attribution(nlp, text).text == "Omar Zaki, who works for the provincial health office"


def test_no_attribution_when_the_report_states_it(nlp) -> None:
    assert attribution(nlp, "Three soldiers were killed in the clash near the airport.") is None
    # A reporting verb inside a relative clause is not this sentence's source.
    assert attribution(nlp, "The raid came a day before a ceasefire that both sides had announced.") is None
    # What is reported is not who reports it.
    assert (
        attribution(nlp, "Two bridges were destroyed and several villages were reported abandoned.") is None
    )
    # "claimed the district" is a capture, not a source.
    assert attribution(nlp, "The Taliban claimed the district on Tuesday.") is None


def test_speaker_actor(nlp) -> None:
    att = attribution(nlp, "Taliban spokesman Zabihullah Mujahid said the group had captured the crossing.")
    assert att.speaker_actor == TALIBAN
    att = attribution(nlp, "The Afghan defence ministry said the operation had ended.")
    assert att.speaker_actor.name == "Military Forces of Afghanistan (2014-2021)"
    att = attribution(nlp, "A spokesman for the Kandahar governor said the attack was repelled.")
    assert att.speaker_actor is None


@pytest.mark.parametrize(
    "text,certainty",
    [
        # A party claiming its own gains.
        ("Taliban spokesman Zabihullah Mujahid said the group had captured the border crossing.", "claimed"),
        (
            "The ministry of defence said 45 Taliban fighters were killed in air strikes in Helmand.",
            "claimed",
        ),
        ('"We have taken the whole district," said a Taliban commander in Badakhshan.', "claimed"),
        ("Defence ministry spokesman Fawad Aman said the insurgents fled after heavy losses.", "claimed"),
        (
            "Taliban spokesman Zabihullah Mujahid said its fighters entered the town and seized a depot.",
            "claimed",
        ),
        # Hedging words.
        ("Local elders said the insurgents allegedly executed two prisoners.", "claimed"),
        ("Officials said the figure could not be independently verified.", "claimed"),
        ("The Taliban claimed that they had shot down a helicopter, a local reporter said.", "claimed"),
        # Denials.
        ("Government officials denied that the district had fallen.", "disputed"),
        ("The ministry rejected the claim, a spokesman said.", "disputed"),
        # Plain reports by non-parties, or a party reporting its own losses.
        ("Insurgents stormed the city overnight, a spokesman for the Kandahar governor said.", "reported"),
        ("Police said three policemen were killed when a bomb exploded near their post.", "reported"),
        ("According to hospital staff, twelve wounded people were brought in.", "reported"),
    ],
)
def test_certainty(nlp, text: str, certainty: str) -> None:
    att = attribution(nlp, text)
    assert att is not None
    assert att.certainty == certainty


def test_denial_in_a_neighbouring_sentence(nlp) -> None:
    doc = nlp("The Taliban said they had taken the town. The governor's office denied this.")
    first, second = list(doc.sents)
    assert find_attribution(first, country=AFG, context=second).certainty == "disputed"
    assert (
        find_attribution(first, country=AFG, context="Officials rejected those claims.").certainty
        == "disputed"
    )
    assert (
        find_attribution(first, country=AFG, context="Officials rejected the peace offer.").certainty
        == "claimed"
    )


def test_certainty_without_a_speaker(nlp) -> None:
    assert certainty_of(nlp("Gunmen reportedly abducted two engineers on the highway.")) == "claimed"
    assert certainty_of(nlp("Gunmen abducted two engineers on the highway.")) == "reported"


@pytest.mark.parametrize(
    "text,hedged",
    [
        ("The fighters may have crossed into Iran overnight.", True),
        ("The blast was possibly caused by a mine.", True),
        ("It was not clear whether the soldiers had surrendered.", True),
        ("It remained unclear who fired first.", True),
        ("The soldiers surrendered the base on Monday.", False),
        ("Mayors have asked for more police.", False),
    ],
)
def test_is_hedged(nlp, text: str, hedged: bool) -> None:
    assert is_hedged(nlp(text)) is hedged
    assert is_hedged(text) is hedged
