"""What an eval run produces: the typed report behind metrics.json, report.md and the charts."""

from __future__ import annotations

from pydantic import BaseModel, Field

from careguide.eval.disclosure_check import DisclosureReport
from careguide.eval.ragas_scores import RagasScores

AUDIENCE_MODE = "audience"
"""The answer row where each question is answered in its own audience's mode."""


class SystemScores(BaseModel):
    """Retrieval figures of one system over the answerable items (FORMAT.md's rule)."""

    name: str
    units: int = Field(description="Passages (or chunks) the system searched.")
    recall_at_1: float
    recall_at_5: float
    recall_at_10: float
    mrr_at_10: float
    ndcg_at_10: float
    context_precision: float | None = Field(
        default=None, description="ragas NonLLMContextPrecisionWithReference over the top 10."
    )
    context_recall: float | None = Field(
        default=None, description="ragas NonLLMContextRecall over the top 10."
    )
    misses_at_5: list[str] = Field(default_factory=list, description="Item ids not covered @5.")
    seconds: float = Field(default=0.0, description="Build plus search time for the gold set.")


class ModeScores(BaseModel):
    """careguide's answers in one mode (``audience``: each item in its own audience's mode)."""

    mode: str
    answerable: int
    unanswerable: int
    grounded_rate: float = Field(description="Answerable items given a cited answer.")
    declined_rate: float = Field(description="Unanswerable items answered 'not covered'.")
    evidence_cited_rate: float = Field(
        description="Answerable items whose cited passages cover every evidence group."
    )
    supported_sentence_rate: float = Field(
        description="Answer sentences whose cited passages contain them (FORMAT.md's rule)."
    )
    fk_grade_median: float | None = Field(
        default=None, description="Flesch-Kincaid grade (textstat), median over cited answers."
    )
    fk_grade_mean: float | None = None


class GroupScores(BaseModel):
    """careguide's figures on the items of one audience or one difficulty."""

    group: str
    items: int
    answerable: int
    recall_at_5: float | None
    mrr_at_10: float | None
    grounded_rate: float | None
    declined_rate: float | None


class TopPassage(BaseModel):
    rank: int
    label: str
    source: str
    text: str = Field(description="The start of the passage.")


class Miss(BaseModel):
    """An item careguide got wrong, with the top 3 passages it retrieved."""

    id: str
    question: str
    audience: str
    difficulty: str
    why: str = Field(description="'not in top 5', 'not answered' or 'answered, but unanswerable'.")
    top: list[TopPassage]


class EvalReport(BaseModel):
    """Everything one `careguide eval` run measured (written as metrics.json)."""

    gold: str | None = None
    data_dir: str = ""
    created: str = ""
    items: int = 0
    answerable: int = 0
    unanswerable: int = 0
    drafts_skipped: int = Field(default=0, description="Draft items from feedback, not scored.")
    systems: list[SystemScores] = Field(default_factory=list, description="careguide first.")
    deltas: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="careguide minus each baseline, per retrieval metric."
    )
    answers: list[ModeScores] = Field(default_factory=list)
    ragas: RagasScores | None = None
    by_audience: list[GroupScores] = Field(default_factory=list)
    by_difficulty: list[GroupScores] = Field(default_factory=list)
    misses: list[Miss] = Field(default_factory=list)
    disclosures: DisclosureReport | None = None
    seconds: dict[str, float] = Field(default_factory=dict, description="Time per stage.")

    def system(self, name: str) -> SystemScores | None:
        return next((s for s in self.systems if s.name == name), None)

    def mode(self, name: str) -> ModeScores | None:
        return next((m for m in self.answers if m.mode == name), None)
