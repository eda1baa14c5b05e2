"""`careguide bench`: how long ingest takes and where, search and ask latency, peak memory.

The corpus is ingested into a fresh data directory (a temporary one unless given), so the
figures are a cold build that never touches the live index:

- ``read_seconds``: reading, cleaning and cutting files into passages (no model);
- ``model_load_seconds``: loading the embedding model, once;
- ``embed_only_seconds``: embedding every passage and nothing else, the floor for indexing;
- ``index_seconds``: the real index build (embedding again, sparse vectors, writing Qdrant);
  its excess over ``embed_only_seconds`` is what the store costs;
- ``sentence_vectors_seconds``: embedding the answer sentences ahead of time;
- ``search_ms`` / ``ask_ms``: warm p50 and p95 over the questions, in process;
- ``peak_rss_mb``: the process's peak resident memory (model, index and Python).
"""

from __future__ import annotations

import resource
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, Field

from careguide.api.answer import answer
from careguide.api.engine import Engine
from careguide.api.settings import Settings
from careguide.eval.search_bench import percentile
from careguide.index.embedder import Embedder, passage_text_for_embedding
from careguide.index.sentences import build_sentence_vectors, sentence_vector_path
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore


class Latency(BaseModel):
    calls: int
    p50: float
    p95: float


class BenchReport(BaseModel):
    """One bench run (printed as JSON)."""

    corpus: str
    model: str
    files: int
    passages: int
    read_seconds: float
    model_load_seconds: float
    embed_only_seconds: float
    index_seconds: float
    sentence_vectors_seconds: float
    ingest_seconds: float = Field(description="read + index + sentence vectors: a full ingest.")
    search_ms: Latency
    ask_ms: Latency
    peak_rss_mb: float


def _latency(timings: list[float]) -> Latency:
    return Latency(
        calls=len(timings),
        p50=round(statistics.median(timings), 1),
        p95=round(percentile(timings, 0.95), 1),
    )


def _peak_rss_mb() -> float:
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024, 1)


def run_bench(
    corpus: Path,
    questions: Sequence[str],
    settings: Settings,
    *,
    calls: int = 100,
    embedder: Embedder | None = None,
    data_dir: Path | None = None,
) -> BenchReport:
    """Ingest ``corpus`` into a fresh directory and time it, then search and ask."""
    with tempfile.TemporaryDirectory(prefix="careguide-bench-") as tmp:
        settings = settings.model_copy(update={"data_dir": data_dir or Path(tmp)})
        started = time.perf_counter()
        result = ingest_paths([corpus], settings.ingest, library=LibraryStore(settings.data_dir))
        read = time.perf_counter() - started
        with Engine(settings, embedder=embedder) as engine:
            t0 = time.perf_counter()
            engine.embedder.embed(["load the model"])
            load = time.perf_counter() - t0
            texts = [passage_text_for_embedding(p) for p in result.passages]
            t0 = time.perf_counter()
            engine.embedder.embed(texts)
            embed_only = time.perf_counter() - t0
            t0 = time.perf_counter()
            engine.index(result.passages, force=True)
            index = time.perf_counter() - t0
            t0 = time.perf_counter()
            build_sentence_vectors(
                result.passages,
                engine.embedder,
                sentence_vector_path(settings.data_dir, engine.embedder),
            )
            sentences = time.perf_counter() - t0
            asked = list(questions) or [
                (p.heading_path or [p.title])[-1] for p in result.passages[:20]
            ]
            plan = (asked * (calls // max(1, len(asked)) + 1))[:calls]
            for q in dict.fromkeys(plan):  # warm: first sight of the index pages and each query
                engine.search(q, k=10)
            search_ms, ask_ms = [], []
            for q in plan:
                t0 = time.perf_counter()
                engine.search(q, k=10)
                search_ms.append((time.perf_counter() - t0) * 1000)
            for q in plan:
                t0 = time.perf_counter()
                answer(q, engine=engine)
                ask_ms.append((time.perf_counter() - t0) * 1000)
            model = engine.embedder.name
    return BenchReport(
        corpus=str(corpus),
        model=model,
        files=len(result.reports),
        passages=len(result.passages),
        read_seconds=round(read, 2),
        model_load_seconds=round(load, 2),
        embed_only_seconds=round(embed_only, 2),
        index_seconds=round(index, 2),
        sentence_vectors_seconds=round(sentences, 2),
        ingest_seconds=round(read + index + sentences, 2),
        search_ms=_latency(search_ms),
        ask_ms=_latency(ask_ms),
        peak_rss_mb=_peak_rss_mb(),
    )
