"""Settings for the extractive answer composer (a section of the one settings tree)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from careguide.api.answer_models import Mode


class AnswerSettings(BaseModel):
    """How the extractive composer chooses sentences; defaults tuned on the dev set."""

    k: int = Field(default=15, ge=1, description="Passages retrieved for an answer.")
    max_words: dict[Mode, int] = Field(
        default_factory=lambda: {
            Mode.practitioner: 120,
            Mode.trainer: 120,
            Mode.carer: 100,
            Mode.child: 50,
        },
        description="Word budget of the sentences taken from passages, by mode.",
    )
    min_words: int = Field(default=6, description="Shorter sentences are never chosen.")
    candidates: int = Field(
        default=40, description="Candidates embedded per question, after a cheap pre-ranking."
    )
    redundancy: float = Field(
        default=0.85, description="Cosine above which a sentence repeats one already chosen."
    )
    weight_cosine: float = Field(default=0.5, description="Weight of cosine to the question.")
    weight_overlap: float = Field(default=0.4, description="Weight of term overlap.")
    weight_rank: float = Field(default=0.1, description="Weight of the passage's rank.")
    lead_passages: dict[Mode, int] = Field(
        default_factory=lambda: {Mode.practitioner: 3, Mode.trainer: 3},
        description=(
            "By mode, the best sentence of each of this many top-ranked passages is taken "
            "first (plain modes choose the simplest sentences instead)."
        ),
    )
    keep_ratio: float = Field(
        default=0.6, description="Sentences scoring below this share of the best are left out."
    )
    threshold: float = Field(
        default=0.575,
        description=(
            "Best cosine between the question and a candidate sentence below which the "
            "library is taken not to cover the question (tuned on the dev set's "
            "unanswerable questions)."
        ),
    )
    same_topic: float = Field(
        default=0.6, description="Cosine at which two passages are taken to cover one topic."
    )
    length_penalty: float = Field(
        default=0.05, description="Score lost per ten words beyond thirty in a sentence."
    )
    new_passage_bonus: float = Field(
        default=0.03, description="Score gained by a sentence from a passage not yet cited."
    )
    anaphora_penalty: float = Field(
        default=0.05, description="Score lost by a sentence opening with 'This', 'They' ..."
    )
    grade_penalty: float = Field(
        default=0.04, description="Plain modes: score lost per reading grade above target."
    )
    target_grade: dict[Mode, float] = Field(
        default_factory=lambda: {Mode.carer: 7.0, Mode.child: 5.0},
        description="Flesch-Kincaid grade each plain mode aims below.",
    )
    conflict_similarity: float = Field(
        default=0.75,
        description="Cosine at which two sentences giving different dates or amounts are "
        "taken to be about the same thing.",
    )
    named_date_similarity: float = Field(
        default=0.55,
        description="The same for dates named by season or month ('spring 2023' against "
        "'summer 2023'), a surer sign that two sources disagree.",
    )
    closest: int = Field(default=3, description="Closest passages listed when not covered.")
