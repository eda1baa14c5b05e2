"""How search time grows with the index: the sample corpus against a generated 100k index.

    python -m careguide.eval.bench_scale --passages 100000 --json

For each backend (``local``: qdrant-client's embedded mode on disk, which scores every
vector in Python; ``edge``: Qdrant's own engine in process, ``careguide.index.edge_store``)
and each size (the sample corpus's real passages; ``--passages`` generated ones), a fresh
subprocess builds an index in a temporary directory with ``Store.index``, closes it,
reopens it, and times warm searches: dense and sparse ``store.search`` at the candidate
limit ``retrieve`` uses, and the whole ``retrieve()`` hybrid at k=10. Each case reports
its own peak RSS (``resource.getrusage``), so the figures do not bleed into each other.
Nothing is written outside the temporary directories, which are removed.

What is real and what is generated, and why:

- Passages: the sample corpus's own passages for the small case; for the large one,
  passages of 60-300 words stitched from 8-20-word spans of the sample corpus text,
  taken at random offsets, so term frequencies and passage lengths are realistic
  (the sparse side costs what it would). 500 synthetic documents with varied kinds,
  statuses, years and audiences carry them.
- Dense vectors: random unit vectors of 384 dimensions (all-MiniLM-L6-v2's size), one per
  text, seeded by the text (``RandomEmbedder``). Embedding 100k passages with the real
  model would take about 40 minutes on two cores, and search time does not depend on
  what the vectors mean. (Random vectors are the hard case for an HNSW graph, so edge's
  dense figures are if anything pessimistic.)
- Queries: the dev set's questions, then 4-12-word spans of the corpus, to ``--queries``.
  ``retrieve`` embeds them with ``RandomEmbedder`` as well; the real model's own cost
  per query is measured once, separately ("query embedding"), and adds to the hybrid
  figure whatever the backend.

Local mode commits every point in its own SQLite transaction, so building 100k passages
on disk takes longer than this benchmark's 15 minutes (787 s measured once, on a loaded
two-core machine); by default it builds ``--local-disk-cap`` passages on disk, scales the
build and open times up (a lower bound: about half the full figure), and searches all
of them in a ":memory:" local store, which scores exactly as the on-disk one does.
``--local-disk-cap 0`` builds everything on disk (raise ``--timeout`` too).

Each timed phase stops after ``--queries`` queries or ``--budget`` seconds, whichever
comes first (local mode's sparse search at 100k can take seconds a query), and says how
many queries it timed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from careguide.index.analyser import query_vector
from careguide.index.embedder import PACKAGED_MODEL, SentenceTransformerEmbedder
from careguide.index.retrieve import retrieve
from careguide.index.settings import IndexSettings
from careguide.index.store import PassageStore, open_store
from careguide.ingest.models import DocKind, DocStatus, DocumentMeta, Passage, PassageKind

__all__ = ["CaseResult", "RandomEmbedder", "Timing", "main", "synthetic_passages"]

Backend = Literal["local", "edge"]
BACKENDS: tuple[Backend, ...] = ("local", "edge")
DIM = 384
"""all-MiniLM-L6-v2's vector size."""

_SHARED = Path(__file__).resolve().parents[1].parent / "shared"
DEFAULT_CORPUS = Path(os.environ.get("CAREGUIDE_TEST_CORPUS", _SHARED / "corpus"))
DEFAULT_QUESTIONS = DEFAULT_CORPUS.parent / "eval" / "dev.jsonl"


class RandomEmbedder:
    """Random unit vectors, one per distinct text, the same on every call (seeded by the text).

    Stands in for the model where only vector shape and count matter.
    """

    def __init__(self, dim: int = DIM):
        self.dim = dim
        self.name = f"random-{dim}"

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        rows = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
            rows[i] = np.random.default_rng(seed).standard_normal(self.dim)
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)


# -- inputs ------------------------------------------------------------------------------


def corpus_words(corpus: Path) -> list[str]:
    """Every whitespace-separated word of the corpus's text files, in order."""
    words: list[str] = []
    for path in sorted(corpus.glob("*.txt")):
        words.extend(path.read_text(encoding="utf-8", errors="replace").split())
    if len(words) < 1000:
        raise SystemExit(f"too little text in {corpus} to generate passages from")
    return words


_AUDIENCES = ["Social workers", "Local authorities", "Foster carers", "Kinship carers", "Courts"]
_KINDS = [k for k in DocKind if k != DocKind.unknown]
_STATUSES = [DocStatus.current] * 6 + [DocStatus.superseded, DocStatus.historical]


def _documents(count: int, rng: random.Random) -> list[DocumentMeta]:
    docs = []
    for i in range(count):
        year = rng.randint(2000, 2024)
        docs.append(
            DocumentMeta(
                doc_id=f"synthetic-{i:04d}",
                title=f"Synthetic guidance document {i}",
                short_title=f"Synthetic {i}",
                publisher="DfE",
                date=f"{year}-{rng.randint(1, 12):02d}",
                kind=rng.choice(_KINDS),
                status=rng.choice(_STATUSES),
                audience=rng.sample(_AUDIENCES, rng.randint(1, 3)),
            )
        )
    return docs


def synthetic_passages(
    count: int, words: Sequence[str], *, seed: int = 0, documents: int = 500
) -> list[Passage]:
    """``count`` passages of 60-300 words, stitched from 8-20-word spans of ``words``."""
    rng = random.Random(seed)
    docs = _documents(documents, rng)
    passages = []
    for n in range(count):
        meta = docs[n % documents]
        length = rng.randint(60, 300)
        picked: list[str] = []
        while len(picked) < length:
            start = rng.randrange(len(words) - 20)
            picked.extend(words[start : start + rng.randint(8, 20)])
        text = " ".join(picked[:length])
        paragraph = str(n // documents + 1)
        passages.append(
            Passage(
                id=f"{meta.doc_id}:{n:08x}",
                doc_id=meta.doc_id,
                source=f"{meta.doc_id}.pdf",
                title=meta.title,
                citation=f"{meta.short_title}, para {paragraph}",
                heading_path=[f"Chapter {n % 12 + 1}", f"Section {n % 7 + 1}"],
                paragraphs=[paragraph],
                pages=[n // documents // 3 + 1],
                start=0,
                end=len(text),
                kind=PassageKind.footnote if n % 50 == 0 else PassageKind.body,
                text=text,
                meta=meta,
            )
        )
    return passages


def sample_passages(corpus: Path) -> list[Passage]:
    """The sample corpus's real passages, as ``careguide ingest`` makes them."""
    from careguide.ingest.pipeline import ingest_paths
    from careguide.ingest.settings import IngestSettings

    return ingest_paths([corpus], IngestSettings()).passages


def queries(count: int, words: Sequence[str], questions: Path, *, seed: int = 1) -> list[str]:
    """The dev set's questions, then corpus spans of 4-12 words, ``count`` in all."""
    found: list[str] = []
    if questions.is_file():
        for line in questions.read_text(encoding="utf-8").splitlines():
            if line.strip():
                found.append(json.loads(line)["question"])
    rng = random.Random(seed)
    while len(found) < count:
        start = rng.randrange(len(words) - 12)
        found.append(" ".join(words[start : start + rng.randint(4, 12)]))
    return found[:count]


# -- measuring ---------------------------------------------------------------------------


class Timing(BaseModel):
    """Latency of one kind of call, in milliseconds, over ``n`` warm calls."""

    n: int
    p50_ms: float
    p95_ms: float
    mean_ms: float

    @classmethod
    def of(cls, seconds: Sequence[float]) -> Timing:
        ms = np.asarray(seconds) * 1000
        return cls(
            n=len(ms),
            p50_ms=round(float(np.percentile(ms, 50)), 2),
            p95_ms=round(float(np.percentile(ms, 95)), 2),
            mean_ms=round(float(ms.mean()), 2),
        )


class CaseResult(BaseModel):
    """One backend at one index size."""

    backend: str
    size: str = Field(description="'sample' (the corpus's real passages) or 'generated'.")
    passages: int
    build_s: float = Field(description="Store.index wall time (vectors from RandomEmbedder).")
    open_s: float = Field(description="Reopening the index on disk, to the first count().")
    disk_mb: float
    scaled_from: int | None = Field(
        default=None,
        description=(
            "Set when build_s, open_s and disk_mb were measured on this many passages and "
            "scaled up (local mode with --local-disk-cap); searches then ran in memory."
        ),
    )
    dense: Timing = Field(description="store.search('dense', ..., limit=candidates).")
    sparse: Timing = Field(description="store.search('sparse', ..., limit=candidates).")
    hybrid: Timing = Field(description="retrieve(query, k=10), query embedding not included.")
    peak_rss_mb: float
    warnings: list[str] = Field(default_factory=list)


def _peak_rss_mb() -> float:
    # ru_maxrss is in kilobytes on Linux
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _timed(call: Callable[[Any], object], inputs: Sequence[Any], budget: float) -> Timing:
    for item in inputs[:2]:  # warm-up: caches, lazy loads, the first page-ins
        call(item)
    seconds: list[float] = []
    deadline = time.perf_counter() + budget
    for item in inputs:
        started = time.perf_counter()
        call(item)
        seconds.append(time.perf_counter() - started)
        if started > deadline:
            break
    return Timing.of(seconds)


def _disk_mb(path: Path) -> float:
    total = sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
    return round(total / 1e6, 1)


def _build_and_reopen(
    backend: Backend, passages: Sequence[Passage], data_dir: Path
) -> tuple[PassageStore, float, float]:
    """Index ``passages`` on disk, close, reopen: the store, build and open seconds."""
    settings = IndexSettings()
    started = time.perf_counter()
    with open_store(settings, data_dir, engine=backend) as store:
        store.index(passages, RandomEmbedder())
    build_s = time.perf_counter() - started
    started = time.perf_counter()
    store = open_store(settings, data_dir, engine=backend)
    count = store.count()
    open_s = time.perf_counter() - started
    assert count == len(passages), (count, len(passages))
    return store, build_s, open_s


def run_case(
    backend: Backend,
    size: str,
    passages: Sequence[Passage],
    texts: Sequence[str],
    *,
    budget: float,
    disk_cap: int | None = None,
    tmp: Path | None = None,
) -> CaseResult:
    """Build, reopen and time one backend on ``passages`` in a temporary directory.

    With ``disk_cap``, local mode builds on disk only the first ``disk_cap`` passages
    and scales build time, open time and size up to all of them (it commits each point
    in its own SQLite transaction, so its build time is linear in the passages); it
    then searches all of them in a ":memory:" store, whose search code is the same.
    """
    embedder = RandomEmbedder()
    data_dir = Path(tempfile.mkdtemp(prefix=f"careguide-bench-{backend}-", dir=tmp))
    capped = backend == "local" and disk_cap is not None and len(passages) > disk_cap
    on_disk = passages[:disk_cap] if capped else passages
    scale = len(passages) / len(on_disk)
    try:
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            store, build_s, open_s = _build_and_reopen(backend, on_disk, data_dir)
            disk_mb = _disk_mb(data_dir)
            if capped:
                store.close()
                store = open_store(IndexSettings(), location=":memory:", engine=backend)
                store.index(passages, embedder)
            caught = sorted({str(w.message).splitlines()[0] for w in seen})

        limit = store.settings.candidates
        dense_q = list(embedder.embed(texts))
        sparse_q = [query_vector(t) for t in texts]
        with store:
            dense = _timed(lambda v: store.search("dense", v, limit=limit), dense_q, budget)
            sparse = _timed(lambda v: store.search("sparse", v, limit=limit), sparse_q, budget)
            hybrid = _timed(
                lambda q: retrieve(q, embedder=embedder, store=store, k=10), texts, budget
            )
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
    return CaseResult(
        backend=backend,
        size=size,
        passages=len(passages),
        build_s=round(build_s * scale, 1),
        open_s=round(open_s * scale, 2),
        disk_mb=round(disk_mb * scale, 1),
        scaled_from=len(on_disk) if capped else None,
        dense=dense,
        sparse=sparse,
        hybrid=hybrid,
        peak_rss_mb=_peak_rss_mb(),
        warnings=caught,
    )


def model_query_timing(texts: Sequence[str], budget: float) -> dict[str, Any]:
    """The real model's cost to embed one query (loaded once, then warm)."""
    model = SentenceTransformerEmbedder(PACKAGED_MODEL)
    started = time.perf_counter()
    model.embed(["warm up"])
    load_s = time.perf_counter() - started
    timing = _timed(lambda t: model.embed([t]), texts, budget)
    return {
        "model": PACKAGED_MODEL,
        "load_s": round(load_s, 1),
        "query_embedding": timing.model_dump(),
    }


# -- the orchestra -----------------------------------------------------------------------


def _worker(spec: dict[str, Any]) -> dict[str, Any]:
    corpus = Path(spec["corpus"])
    words = corpus_words(corpus)
    texts = queries(spec["queries"], words, Path(spec["questions"]))
    if spec["case"] == "model":
        return model_query_timing(texts, spec["budget"])
    started = time.perf_counter()
    if spec["size"] == "sample":
        passages = sample_passages(corpus)
    else:
        passages = synthetic_passages(spec["passages"], words, seed=spec["seed"])
    made_s = time.perf_counter() - started
    result = run_case(
        spec["case"],
        spec["size"],
        passages,
        texts,
        budget=spec["budget"],
        disk_cap=spec.get("local_disk_cap") or None,
        tmp=Path(spec["tmp"]) if spec.get("tmp") else None,
    )
    return {**result.model_dump(), "passages_made_s": round(made_s, 1)}


def _spawn(spec: dict[str, Any], timeout: float) -> dict[str, Any]:
    """Run one case in a fresh interpreter, so peak RSS and caches are its own."""
    command = [sys.executable, "-m", "careguide.eval.bench_scale", "--worker", json.dumps(spec)]
    label = f"{spec['case']} {spec.get('size', '')}".strip()
    print(f"running {label} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    # the worker's index goes in here, removed even when the worker is stopped
    tmp = tempfile.mkdtemp(prefix="careguide-bench-")
    command[-1] = json.dumps({**spec, "tmp": tmp})
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return {"case": label, "error": f"stopped after {timeout:.0f} s"}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        return {"case": label, "error": " | ".join(tail) or f"exit code {done.returncode}"}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - started, 1)
    print(f"  {label}: {result['wall_s']} s", file=sys.stderr, flush=True)
    return result


def _row(r: dict[str, Any]) -> str:
    if "error" in r:
        return f"{r['case']:<16} error: {r['error']}"

    def t(name: str) -> str:
        return f"{r[name]['p50_ms']:>7.1f} {r[name]['p95_ms']:>7.1f}"

    mark = "*" if r.get("scaled_from") else " "
    return (
        f"{r['backend']:<6} {r['passages']:>8,} {r['build_s']:>7.1f}{mark} {r['open_s']:>7.2f} "
        f"{t('dense')} {t('sparse')} {t('hybrid')} {r['peak_rss_mb']:>8.0f}"
    )


def table(report: dict[str, Any]) -> str:
    """The report as a short fixed-width table."""
    head = (
        f"{'back':<6} {'passages':>8} {'build s':>8} {'open s':>7} "
        f"{'dense ms':>15} {'sparse ms':>15} {'hybrid ms':>15} {'RSS MB':>8}\n"
        f"{'':<6} {'':>8} {'':>8} {'':>7} " + f"{'p50':>7} {'p95':>7} " * 3
    )
    lines = [head.rstrip(), *(_row(r) for r in report["cases"])]
    for r in report["cases"]:
        if r.get("scaled_from"):
            lines.append(
                f"* {r['backend']}: built on disk from {r['scaled_from']:,} passages and scaled "
                "up (a lower bound: SQLite slows as it grows); searched in memory"
            )
    model = report.get("model")
    if model and "error" not in model:
        q = model["query_embedding"]
        lines.append(
            f"query embedding with {model['model']}: p50 {q['p50_ms']} ms, "
            f"p95 {q['p95_ms']} ms (add to hybrid)"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m careguide.eval.bench_scale", description=__doc__.split("\n\n")[0]
    )
    parser.add_argument("--passages", type=int, default=100_000, help="generated index size")
    parser.add_argument("--queries", type=int, default=200, help="queries per timed phase")
    parser.add_argument("--budget", type=float, default=20.0, help="seconds per timed phase")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds per case")
    parser.add_argument("--backends", default="local,edge", help="comma-separated")
    parser.add_argument(
        "--local-disk-cap",
        type=int,
        default=5_000,
        help="local mode builds at most this many passages on disk and scales up (0: all)",
    )
    parser.add_argument("--no-sample", action="store_true", help="skip the sample-size cases")
    parser.add_argument("--no-model", action="store_true", help="skip the query-model timing")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--questions", type=Path, default=DEFAULT_QUESTIONS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print the JSON report")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.worker:
        print(json.dumps(_worker(json.loads(args.worker))))
        return 0

    backends = [b for b in args.backends.split(",") if b]
    unknown = set(backends) - set(BACKENDS)
    if unknown:
        parser.error(f"unknown backend(s) {', '.join(sorted(unknown))}; choose from local, edge")
    common = {
        "corpus": str(args.corpus),
        "questions": str(args.questions),
        "queries": args.queries,
        "budget": args.budget,
        "seed": args.seed,
        "passages": args.passages,
        "local_disk_cap": args.local_disk_cap,
    }
    sizes = ([] if args.no_sample else ["sample"]) + ["generated"]
    started = time.perf_counter()
    load_before = os.getloadavg()
    cases = [
        _spawn({**common, "case": backend, "size": size}, args.timeout)
        for size in sizes
        for backend in backends
    ]
    report: dict[str, Any] = {
        "vectors": f"random unit vectors, {DIM} dimensions (see the module docstring)",
        "cpus": os.cpu_count(),
        # other work on the machine slows every figure: the load says how much there was
        "load_average_before": [round(x, 1) for x in load_before],
        "cases": cases,
    }
    if not args.no_model:
        report["model"] = _spawn({**common, "case": "model"}, args.timeout)
    report["load_average_after"] = [round(x, 1) for x in os.getloadavg()]
    report["total_s"] = round(time.perf_counter() - started, 1)
    if args.json:
        print(json.dumps(report, indent=2))
    print(table(report), file=sys.stderr if args.json else sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
