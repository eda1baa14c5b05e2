"""Follow-up questions are read with the earlier question's topic."""

from __future__ import annotations

import pytest

from careguide.api.answer_models import Turn
from careguide.api.followup import is_followup, resolve_followup, topic_of


@pytest.mark.parametrize(
    "question",
    [
        "what about teenagers?",
        "how much is it?",
        "and for special guardians?",
        "does that apply to me?",
        "what if they are 17",
    ],
)
def test_follow_ups_are_recognised(question: str) -> None:
    assert is_followup(question)


@pytest.mark.parametrize(
    "question",
    [
        "can a kinship carer get a special guardianship allowance?",
        "what does a personal adviser do for care leavers",
        "how long do care proceedings take on average?",
    ],
)
def test_new_questions_are_not_follow_ups(question: str) -> None:
    assert not is_followup(question)


def test_a_follow_up_takes_the_topic_of_the_last_question() -> None:
    history = [
        Turn(role="user", content="can kinship carers get a special guardianship allowance?"),
        Turn(role="assistant", content="Some councils pay one [1]."),
    ]
    resolved = resolve_followup("how much is it?", history)
    assert resolved.startswith("how much is it?")
    assert "special guardianship allowance" in resolved


def test_a_chain_of_follow_ups_keeps_the_first_topic() -> None:
    history = [
        Turn(role="user", content="what is staying put for care leavers?"),
        Turn(role="assistant", content="..."),
        Turn(role="user", content="what about teenagers?"),
        Turn(role="assistant", content="..."),
    ]
    assert "staying put" in resolve_followup("and how long does it last?", history)


def test_a_new_question_is_left_alone() -> None:
    history = [Turn(role="user", content="what is staying put?")]
    question = "what does an independent reviewing officer do?"
    assert resolve_followup(question, history) == question


def test_without_history_nothing_changes() -> None:
    assert resolve_followup("how much is it?", []) == "how much is it?"


def test_topic_falls_back_to_content_words() -> None:
    assert "bicycle" in topic_of("can we borrow a bicycle")
