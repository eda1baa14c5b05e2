"""The regression gate `make test` runs: the dev-set eval on a fresh index of the sample
corpus against the floors in eval/thresholds.yaml."""

from __future__ import annotations

from pathlib import Path

import pytest

from careguide.api.engine import Engine
from careguide.api.safety import semantic_for
from careguide.api.settings import Settings
from careguide.eval.disclosure_check import score_disclosures
from careguide.eval.gate import Floors, below_floors, load_thresholds
from careguide.eval.harness import run_eval
from careguide.eval.metrics import load_gold
from careguide.eval.models import EvalReport, ModeScores, SystemScores
from careguide.ingest.storage import LibraryStore


def _report(recall: float, declined: float) -> EvalReport:
    return EvalReport(
        systems=[
            SystemScores(
                name="careguide",
                units=1,
                recall_at_1=0,
                recall_at_5=recall,
                recall_at_10=1,
                mrr_at_10=0.8,
                ndcg_at_10=0.8,
            )
        ],
        answers=[
            ModeScores(
                mode="audience",
                answerable=2,
                unanswerable=2,
                grounded_rate=1,
                declined_rate=declined,
                evidence_cited_rate=1,
                supported_sentence_rate=1,
            )
        ],
    )


def test_floors_name_each_figure_that_falls_short() -> None:
    floors = Floors(recall_at_5=0.8, mrr_at_10=0.7, declined_rate=0.6, disclosure_recall=1.0)
    assert below_floors(_report(0.5, 0.5), None, floors) == [
        "recall_at_5: 0.500 is below the floor 0.800",
        "declined_rate: 0.500 is below the floor 0.600",
        "disclosure_recall: not measured (floor 1.0)",
    ]
    assert below_floors(_report(0.9, 0.7), None, Floors(recall_at_5=0.8)) == []


@pytest.mark.slow
def test_dev_set_stays_above_the_floors(sample_library: Path, corpus_dir: Path) -> None:
    thresholds = load_thresholds()
    shared = corpus_dir.parent / "eval"
    library = LibraryStore(sample_library)
    # The gate measures careguide alone, in each question's own audience's mode: the
    # baselines and the other modes are for the report, not the floors.
    with Engine(Settings(data_dir=sample_library)) as engine:
        report = run_eval(
            load_gold(shared / thresholds.gold),
            engine=engine,
            passages=library.passages(),
            documents=library.documents(),
            baselines=(),
            modes=("audience",),
        )
        disclosures = score_disclosures(
            shared / thresholds.disclosures, semantic=semantic_for(engine.embedder)
        )
    failures = below_floors(report, disclosures, thresholds.floors)
    assert not failures, failures
