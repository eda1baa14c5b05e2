"""ragas metrics, offline: non-LLM ones always, LLM-judged ones when a judge is configured.

Always (no network, no LLM):

- ``NonLLMContextPrecisionWithReference`` and ``NonLLMContextRecall`` with the gold
  evidence quotes as reference contexts. ragas' default string distance (normalised
  Levenshtein over the whole strings) scores a 20-word quote against a 200-word passage
  near 0 even when the passage contains it word for word, so both metrics are given
  ``QuoteSimilarity`` instead: rapidfuzz's ``partial_ratio`` (the best-aligned window of the
  longer text) over the gold format's normalised tokens, at threshold 0.8.
- ``NonLLMStringSimilarity`` (Levenshtein) and ``SemanticSimilarity`` (cosine of the local
  embedding model) between each answer and the item's reference answer.

With a judge (``JudgeSettings.enabled``): ``Faithfulness``, ``ResponseRelevancy`` and
``FactualCorrectness``, the judge reached through llama-index's OpenAI-compatible client
and the local embedding model as ragas' embeddings.

ragas is told not to send usage analytics (``RAGAS_DO_NOT_TRACK``); nothing here
downloads anything (checked by running the eval with networking switched off).
"""

from __future__ import annotations

import math
import os
import statistics
import warnings
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, Field, SecretStr

from careguide.eval.metrics import tokens
from careguide.index.embedder import Embedder

QUOTE_THRESHOLD = 0.8


class JudgeSettings(BaseModel):
    """An OpenAI-compatible LLM that judges answers (``CAREGUIDE_EVAL_LLM_*``); unset = off."""

    base_url: str | None = Field(default=None, description="API root up to /v1.")
    model: str | None = Field(default=None, description="Model name as the endpoint knows it.")
    api_key: SecretStr | None = Field(default=None, description="Bearer key, if needed.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds per judge call.")

    @property
    def enabled(self) -> bool:
        return bool(self.base_url and self.model)

    @classmethod
    def from_environ(cls, environ: dict[str, str]) -> JudgeSettings:
        """Read ``CAREGUIDE_EVAL_LLM_BASE_URL``, ``_MODEL``, ``_API_KEY`` (entry points only)."""
        key = environ.get("CAREGUIDE_EVAL_LLM_API_KEY")
        return cls(
            base_url=environ.get("CAREGUIDE_EVAL_LLM_BASE_URL") or None,
            model=environ.get("CAREGUIDE_EVAL_LLM_MODEL") or None,
            api_key=SecretStr(key) if key else None,
        )


class ContextSample(BaseModel):
    """What one system retrieved for one answerable question, and the gold quotes."""

    retrieved: list[str]
    references: list[str]


class AnswerSample(BaseModel):
    """One answer with what it is judged against."""

    question: str
    answer: str
    contexts: list[str] = Field(description="The passages the answer cites.")
    reference: str = Field(description="The gold reference answer.")


class RagasScores(BaseModel):
    """Means over the samples; ``None`` when a metric was not run or had no samples."""

    context_precision: float | None = Field(
        default=None, description="NonLLMContextPrecisionWithReference (quote similarity)."
    )
    context_recall: float | None = Field(
        default=None, description="NonLLMContextRecall (quote similarity)."
    )
    answer_string_similarity: float | None = Field(
        default=None, description="NonLLMStringSimilarity (Levenshtein) to the reference answer."
    )
    answer_semantic_similarity: float | None = Field(
        default=None, description="SemanticSimilarity (local embedding model) to the reference."
    )
    faithfulness: float | None = None
    response_relevancy: float | None = None
    factual_correctness: float | None = None
    judge: str | None = Field(default=None, description="The judge model, when one ran.")
    errors: list[str] = Field(default_factory=list, description="Metrics that failed, and why.")


def _ragas() -> None:
    os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")


def _mean(values: Sequence[float]) -> float | None:
    kept = [v for v in values if v is not None and not math.isnan(v)]
    return round(statistics.fmean(kept), 3) if kept else None


def quote_similarity() -> Any:
    """A ragas string metric fit for "is this quote in this passage": partial_ratio / 100."""
    _ragas()
    from rapidfuzz import fuzz

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.metrics import NonLLMStringSimilarity

    class QuoteSimilarity(NonLLMStringSimilarity):
        name: str = "quote_similarity"

        async def _single_turn_ascore(self, sample: Any, callbacks: Any) -> float:
            a = " ".join(tokens(sample.reference or ""))
            b = " ".join(tokens(sample.response or ""))
            return float(fuzz.partial_ratio(a, b)) / 100 if a and b else 0.0

    return QuoteSimilarity()


def context_scores(samples: Sequence[ContextSample]) -> tuple[float | None, float | None]:
    """Mean ragas context precision and recall over the samples (quotes as references)."""
    _ragas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics import NonLLMContextPrecisionWithReference, NonLLMContextRecall

    similarity = quote_similarity()
    precision = NonLLMContextPrecisionWithReference(
        distance_measure=similarity, threshold=QUOTE_THRESHOLD
    )
    recall = NonLLMContextRecall(_distance_measure=similarity, threshold=QUOTE_THRESHOLD)
    p_scores, r_scores = [], []
    for s in samples:
        if not s.references:
            continue
        if not s.retrieved:
            p_scores.append(0.0)
            r_scores.append(0.0)
            continue
        sample = SingleTurnSample(retrieved_contexts=s.retrieved, reference_contexts=s.references)
        p_scores.append(float(precision.single_turn_score(sample)))
        r_scores.append(float(recall.single_turn_score(sample)))
    return _mean(p_scores), _mean(r_scores)


def answer_scores(
    samples: Sequence[AnswerSample], *, embedder: Embedder, judge: JudgeSettings | None = None
) -> RagasScores:
    """String and semantic similarity to the reference answers; the judged metrics if set."""
    _ragas()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.dataset_schema import SingleTurnSample
        from ragas.embeddings.base import LlamaIndexEmbeddingsWrapper
        from ragas.metrics import NonLLMStringSimilarity, SemanticSimilarity

    from careguide.eval.systems import llama_embedding

    with warnings.catch_warnings():  # the wrapper is the documented way to pass our own model
        warnings.simplefilter("ignore", DeprecationWarning)
        embeddings = LlamaIndexEmbeddingsWrapper(llama_embedding(embedder))
    with_reference = [s for s in samples if s.reference.strip()]
    string_metric = NonLLMStringSimilarity()
    semantic = SemanticSimilarity(embeddings=embeddings)
    out = RagasScores()
    rows = [SingleTurnSample(response=s.answer, reference=s.reference) for s in with_reference]
    out.answer_string_similarity = _mean([string_metric.single_turn_score(r) for r in rows])
    out.answer_semantic_similarity = _mean([semantic.single_turn_score(r) for r in rows])
    if judge is not None and judge.enabled:
        _judged(out, with_reference, judge, embeddings)
    return out


def _judged(
    out: RagasScores, samples: Sequence[AnswerSample], judge: JudgeSettings, embeddings: Any
) -> None:
    """Faithfulness, ResponseRelevancy and FactualCorrectness through the judge endpoint."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from llama_index.llms.openai_like import OpenAILike
        from ragas.dataset_schema import SingleTurnSample
        from ragas.llms.base import LlamaIndexLLMWrapper
        from ragas.metrics import FactualCorrectness, Faithfulness, ResponseRelevancy

    llm = LlamaIndexLLMWrapper(
        OpenAILike(
            model=judge.model or "",
            api_base=judge.base_url,
            api_key=judge.api_key.get_secret_value() if judge.api_key else "none",
            is_chat_model=True,
            timeout=judge.timeout,
            max_retries=1,
        )
    )
    out.judge = judge.model
    metrics = {
        "faithfulness": Faithfulness(llm=llm),
        "response_relevancy": ResponseRelevancy(llm=llm, embeddings=embeddings),
        "factual_correctness": FactualCorrectness(llm=llm),
    }
    for field, metric in metrics.items():
        scores: list[float] = []
        for s in samples:
            row = SingleTurnSample(
                user_input=s.question,
                response=s.answer,
                retrieved_contexts=s.contexts or [""],
                reference=s.reference,
            )
            try:
                scores.append(float(metric.single_turn_score(row)))
            except Exception as error:  # a judge failure loses one metric, not the run
                out.errors.append(f"{field}: {type(error).__name__}: {error}"[:300])
                break
        setattr(out, field, _mean(scores))
