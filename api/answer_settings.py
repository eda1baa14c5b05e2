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
    part_candidates: int = Field(
        default=5,
        description="Of a question asking several things, the candidates also embedded "
        "for each part, beside the best for the whole question.",
    )
    redundancy: float = Field(
        default=0.85, description="Cosine above which a sentence repeats one already chosen."
    )
    similarity_floor: float = Field(
        default=0.55,
        description="Cosine to a sentence already chosen above which a sentence starts to "
        "lose score for saying much the same.",
    )
    similarity_penalty: float = Field(
        default=0.8, description="Score lost per unit of cosine above similarity_floor."
    )
    weight_cosine: float = Field(default=0.5, description="Weight of cosine to the question.")
    weight_overlap: float = Field(default=0.4, description="Weight of term overlap.")
    weight_rank: float = Field(default=0.1, description="Weight of the passage's rank.")
    weight_fit: float = Field(
        default=0.1,
        description="Weight of a sentence's fit to the kind of answer asked for: a number "
        "for 'how many', a date for 'when', the year or the present the question asks about.",
    )
    lead_passages: dict[Mode, int] = Field(
        default_factory=lambda: {
            Mode.practitioner: 4,
            Mode.trainer: 4,
            Mode.carer: 2,
            Mode.child: 1,
        },
        description=(
            "By mode, the best sentence of each of this many top-ranked passages is taken "
            "first, after the best for each part of a many-part question (in plain modes "
            "the best is judged with its reading grade, so it is the simplest good one)."
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
        default=0.1,
        description="Plain modes: score lost per reading grade above target (of two "
        "sentences on the question, a reader of plain answers is better served by the "
        "simpler; 0.04 left carer answers near grade 10 on the dev set, and 0.15, once long "
        "sentences were split, passed over the sentence answering one child question in "
        "nine for a simpler one beside the point).",
    )
    grade_cap: float = Field(
        default=0.35,
        description="Plain modes: the most score the first sentence chosen can lose for its "
        "reading grade (the sentences after it lose all of theirs). Uncapped, a sentence that "
        "answers at grade 12 lost to simple ones beside the point: a young person asking when "
        "their pathway plan should start was told that planning 'is too variable', and not "
        "when it starts. With the cap, child-mode evidence cited over the dev questions rose "
        "from 0.71 to 0.73 and the median child grade from 7.8 to 8.3.",
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
