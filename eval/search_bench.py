"""Search quality and speed on a gold set: careguide's hybrid beside BM25 alone and dense alone.

    python -m careguide.eval.search_bench --gold ../shared/eval/dev.jsonl [--json]

All systems search the same index (same passages, same analyser, same model): "BM25" is the
sparse list alone, "dense" the dense list alone, then RRF and normalised-score fusion, and
the default: score fusion with the first hits ranked again by their best sentence.
Latency is warm, in process, k=10, over the gold questions repeated to at least 200 calls.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from careguide.api.engine import Engine
from careguide.api.settings import Settings
from careguide.eval.metrics import load_gold, score_retrieval
from careguide.index.retrieve import retrieve
from careguide.index.sentences import sentence_vectors

SYSTEMS: dict[str, dict[str, Any]] = {
    "BM25 alone (sparse)": {"fusion": "score", "dense_weight": 0.0},
    "dense alone": {"fusion": "score", "dense_weight": 1.0},
    "hybrid, RRF": {"fusion": "rrf"},
    "hybrid, score fusion": {},
    "score fusion + best sentence (default)": {"by_sentence": True},
}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(gold: Path, settings: Settings) -> dict[str, object]:
    items = load_gold(gold)
    answerable = [i for i in items if i.answerable]
    report: dict[str, object] = {"gold": str(gold), "questions": len(answerable), "systems": {}}
    with Engine(settings) as engine:
        engine.search("warm up")
        systems: dict[str, object] = {}
        sentences = sentence_vectors(engine.embedder, settings.data_dir)
        for name, system in SYSTEMS.items():
            kw = {key: value for key, value in system.items() if key != "by_sentence"}
            results = {
                item.id: [
                    h.passage.text
                    for h in retrieve(
                        item.question,
                        embedder=engine.embedder,
                        store=engine.store,
                        k=10,
                        expand=engine.expand_fn,
                        sentences=sentences if system.get("by_sentence") else None,
                        **kw,
                    )
                ]
                for item in answerable
            }
            s = score_retrieval(answerable, results)
            systems[name] = {
                "recall@1": round(s.recall[1], 3),
                "recall@5": round(s.recall[5], 3),
                "recall@10": round(s.recall[10], 3),
                "mrr@10": round(s.mrr10, 3),
                "ndcg@10": round(s.ndcg10, 3),
                "misses@5": s.misses_at_5,
            }
        report["systems"] = systems
        questions = [i.question for i in items] or ["kinship care"]
        calls = (questions * (200 // len(questions) + 1))[:200]
        timings = []
        for q in calls:
            start = time.perf_counter()
            engine.search(q, k=10)
            timings.append((time.perf_counter() - start) * 1000)
        report["latency_ms"] = {
            "calls": len(timings),
            "p50": round(statistics.median(timings), 1),
            "p95": round(percentile(timings, 0.95), 1),
        }
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gold", type=Path, required=True)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = run(args.gold, Settings())
    if args.json:
        print(json.dumps(report, indent=2))
        return 0
    print(f"{report['questions']} answerable questions in {args.gold}")
    systems = report["systems"]
    assert isinstance(systems, dict)
    print(f"{'system':40s} {'R@1':>6} {'R@5':>6} {'R@10':>6} {'MRR@10':>7} {'nDCG@10':>8}")
    for name, m in systems.items():
        print(
            f"{name:40s} {m['recall@1']:>6} {m['recall@5']:>6} {m['recall@10']:>6} "
            f"{m['mrr@10']:>7} {m['ndcg@10']:>8}"
        )
    print(f"warm search latency: {report['latency_ms']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
