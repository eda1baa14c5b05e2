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
and the local embedding model as ragas' embeddings. A judge that fails (down, HTTP errors,
replies ragas cannot parse) costs the metrics it fails on, each recorded in
``RagasScores.errors`` (and so in the report), never the run. tests/eval/test_ragas_judge.py
runs this path against a stand-in judge on loopback.

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
RETRY_WAIT = 10  # seconds, at most, between tries of one judge call


class JudgeSettings(BaseModel):
    """An OpenAI-compatible LLM that judges answers (``CAREGUIDE_EVAL_LLM_*``); unset = off."""

    base_url: str | None = Field(default=None, description="API root up to /v1.")
    model: str | None = Field(default=None, description="Model name as the endpoint knows it.")
    api_key: SecretStr | None = Field(default=None, description="Bearer key, if needed.")
    timeout: float = Field(default=120.0, gt=0, description="Seconds per judge call.")
    attempts: int = Field(
        default=3, ge=1, le=10, description="Tries per judge call before the metric fails."
    )

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
    """Faithfulness, ResponseRelevancy and FactualCorrectness through the judge endpoint.

    A metric the judge fails on (after ``judge.attempts`` tries) is recorded in
    ``out.errors`` and left ``None``, not averaged over the samples it got through: a mean
    over part of the set would not compare with other runs. When the judge itself fails
    (``judge_is_down``) the metrics after it are recorded as not run rather than each
    waiting out the same retries.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from ragas.async_utils import run
        from ragas.dataset_schema import SingleTurnSample
        from ragas.metrics import FactualCorrectness, Faithfulness, ResponseRelevancy

    llm = judge_llm(judge)
    out.judge = judge.model
    metrics = {
        "faithfulness": Faithfulness(llm=llm),
        "response_relevancy": ResponseRelevancy(llm=llm, embeddings=embeddings),
        "factual_correctness": FactualCorrectness(llm=llm),
    }
    rows = [
        SingleTurnSample(
            user_input=s.question,
            response=s.answer,
            retrieved_contexts=s.contexts or [""],
            reference=s.reference,
        )
        for s in samples
    ]

    async def judge_all() -> None:
        # One event loop for every call: the client keeps its connections in a pool tied
        # to the loop that opened them, and ragas' synchronous ``single_turn_score`` runs
        # each sample in a new loop, so the second sample's call failed with
        # "Connection error" (hidden by ragas' retries, fatal with one attempt).
        down: str | None = None
        for field, metric in metrics.items():
            if down is not None:
                out.errors.append(f"{field}: not run, the judge failed on {down}")
                continue
            scores: list[float] = []
            for n, row in enumerate(rows, start=1):
                try:
                    scores.append(float(await metric.single_turn_ascore(row)))
                except Exception as error:  # a judge failure loses one metric, not the run
                    reason = " ".join(f"{type(error).__name__}: {error}".split())[:300]
                    out.errors.append(
                        f"{field}: not reported, the judge failed on sample {n} of "
                        f"{len(rows)} ({reason})"
                    )
                    if judge_is_down(error):
                        down = field
                    scores = []
                    break
            setattr(out, field, _mean(scores))

    run(judge_all)


def judge_is_down(error: BaseException) -> bool:
    """Whether an error says the judge cannot answer at all (unreachable, timed out, the key
    or model refused, overloaded, failing), not that one request was too much for it."""
    from openai import APIConnectionError, APIStatusError

    if isinstance(error, APIConnectionError):  # timeouts included
        return True
    return isinstance(error, APIStatusError) and error.status_code not in (400, 413, 422)


def judge_llm(judge: JudgeSettings) -> Any:
    """The judge as a ragas LLM: llama-index's OpenAI-compatible client, bounded retries.

    ragas' default run config retries a failed call 10 times with waits of up to a minute,
    so a judge that is down held one sample for eight minutes; here a call is tried
    ``judge.attempts`` times with waits of at most ``RETRY_WAIT`` seconds, and the client
    itself does not retry on top. Asked for n completions (ResponseRelevancy's question
    generation asks for ``strictness`` = 3), llama-index returns one and ragas proceeds
    with one; ``_Judge`` makes n calls instead, so the metric averages what it means to.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        from langchain_core.outputs import LLMResult
        from llama_index.llms.openai_like import OpenAILike
        from ragas.llms.base import LlamaIndexLLMWrapper
        from ragas.run_config import RunConfig

    class _Judge(LlamaIndexLLMWrapper):
        async def agenerate_text(
            self,
            prompt: Any,
            n: int = 1,
            temperature: float | None = 0.01,
            stop: list[str] | None = None,
            callbacks: Any = None,
        ) -> LLMResult:
            generations = []
            for _ in range(n):
                one = await super().agenerate_text(prompt, 1, temperature, stop, callbacks)
                generations += one.generations[0]
            return LLMResult(generations=[generations])

    client = OpenAILike(
        model=judge.model or "",
        api_base=judge.base_url,
        api_key=judge.api_key.get_secret_value() if judge.api_key else "none",
        is_chat_model=True,
        timeout=judge.timeout,
        max_retries=0,
    )
    config = RunConfig(
        timeout=math.ceil(judge.timeout), max_retries=judge.attempts, max_wait=RETRY_WAIT
    )
    with warnings.catch_warnings():  # the wrapper is deprecated; it is also the one that
        warnings.simplefilter("ignore", DeprecationWarning)  # takes any OpenAI-like endpoint
        return _Judge(client, run_config=config)
