"""The detector's semantic second opinion: nearest labelled examples, by meaning.

A deterministic hashing embedder stands in for the model here (texts that share words
get similar vectors); the packaged examples are embedded with the real model in
``test_packaged_examples_catch_what_the_lexicon_cannot`` below.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from careguide.api.safety import (
    SafetyExamples,
    Semantic,
    detect_disclosure,
    load_examples,
    semantic_for,
)
from careguide.index.embedder import HashingEmbedder, SentenceTransformerEmbedder
from careguide.ingest.errors import ConfigError

EXAMPLES = SafetyExamples(
    disclosure=(
        SafetyExamples.Disclosure(
            text="he comes into the bathroom when i am in the shower", category="sexual_abuse"
        ),
        SafetyExamples.Disclosure(
            text="he walks into the bathroom while i shower and stares", category="sexual_abuse"
        ),
        SafetyExamples.Disclosure(
            text="my stepdad comes in the bathroom when i shower", category="sexual_abuse"
        ),
    ),
    ordinary=(
        "what time does the leisure centre pool open",
        "can my grandson have his own bedroom in my flat",
        "how do i apply for a special guardianship allowance",
    ),
)

UNSEEN_WORDS = "he comes in the bathroom when im in the shower"


@pytest.fixture
def semantic() -> Semantic:
    return Semantic(HashingEmbedder(dim=256), EXAMPLES, k=3, share=0.7, least=0.5)


def test_the_lexicon_alone_misses_the_message_used_below() -> None:
    assert not detect_disclosure(UNSEEN_WORDS).disclosure


def test_a_message_near_disclosure_examples_is_flagged(semantic: Semantic) -> None:
    check = detect_disclosure(UNSEEN_WORDS, semantic=semantic)
    assert check.disclosure
    assert check.category == "sexual_abuse"
    assert any(reason.startswith("nearest examples: 3 of 3") for reason in check.reasons)


def test_a_message_near_ordinary_examples_is_answered(semantic: Semantic) -> None:
    check = detect_disclosure("how do i apply for a guardianship allowance", semantic=semantic)
    assert not check.disclosure
    assert check.category is None


def test_a_hypothetical_framing_vetoes_the_second_opinion(semantic: Semantic) -> None:
    message = "what should i do if a child says he comes in the bathroom when she showers"
    assert semantic.judge(message)[0] == "sexual_abuse"  # alone, it would flag this
    assert not detect_disclosure(message, semantic=semantic).disclosure


def test_the_second_opinion_never_overrules_the_lexicon(semantic: Semantic) -> None:
    # nothing like these examples, but the lexicon is sure on its own
    assert detect_disclosure("i want to kill myself tonight", semantic=semantic).disclosure


@pytest.mark.parametrize(
    ("similarity", "flagged"),
    [
        ([0.9, 0.8, 0.7, 0.1, 0.1, 0.1], True),  # all three nearest are disclosures
        ([0.9, 0.1, 0.1, 0.85, 0.8, 0.1], False),  # nearest is one disclosure among ordinary
        ([0.45, 0.44, 0.43, 0.1, 0.1, 0.1], False),  # all disclosures, but none close enough
        ([0.9, 0.85, 0.1, 0.3, 0.1, 0.1], True),  # 2 of 3, holding most of the weight
    ],
)
def test_the_vote(semantic: Semantic, similarity: list[float], flagged: bool) -> None:
    labels = ["sexual_abuse", "sexual_abuse", "neglect", None, None, None]
    category, why = semantic.vote(np.array(similarity), labels)
    assert (category is not None) is flagged, why
    if flagged:
        assert category == "sexual_abuse"


def test_one_second_opinion_per_embedder() -> None:
    embedder = HashingEmbedder()
    assert semantic_for(embedder) is semantic_for(embedder)


def test_packaged_examples_are_balanced_and_cover_every_category() -> None:
    examples = load_examples()
    categories = {d.category for d in examples.disclosure}
    assert categories == {
        "self_harm",
        "sexual_abuse",
        "exploitation",
        "physical_abuse",
        "domestic_violence",
        "neglect",
        "emotional_abuse",
        "unsafe",
    }
    assert len(examples.ordinary) >= 0.8 * len(examples.disclosure)


def test_broken_examples_say_what_to_fix(tmp_path: Path) -> None:
    path = tmp_path / "examples.yaml"
    path.write_text("disclosure:\n  - {text: 'help'}\nordinary: ['hi']\n", encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_examples(path)
    message = str(caught.value)
    assert "disclosure.0.category" in message
    assert "\n" not in message


# Written for this test, in words the lexicon has no pattern for; none is in the examples.
PARAPHRASED = [
    ("he comes in the bathroom when im in the shower and wont leave", "sexual_abuse"),
    ("i think about dying most nights and ive looked up how", "self_harm"),
    ("dad locks the food cupboard and only lets us eat once a day", "neglect"),
]
FRAMED = [
    "what should a school do if a pupil says an adult comes in the bathroom when they shower",
    "what does the guidance say about children who think about dying",
]


@pytest.fixture(scope="module")
def model_semantic() -> Semantic:
    return Semantic(SentenceTransformerEmbedder())


@pytest.mark.parametrize(("text", "category"), PARAPHRASED)
def test_packaged_examples_catch_what_the_lexicon_cannot(
    model_semantic: Semantic, text: str, category: str
) -> None:
    assert not detect_disclosure(text).disclosure
    check = detect_disclosure(text, semantic=model_semantic)
    assert check.disclosure, check.reasons
    assert check.category == category


@pytest.mark.parametrize("text", FRAMED)
def test_questions_about_the_same_things_are_still_answered(
    model_semantic: Semantic, text: str
) -> None:
    assert not detect_disclosure(text, semantic=model_semantic).disclosure
