"""The eval's plumbing on a made-up library with the hashing embedder: every system is
scored, answers are measured per mode, drafts are skipped, and the report files appear."""

from __future__ import annotations

import json
from pathlib import Path

from careguide.api.answer_models import Answer, Citation, Mode
from careguide.api.engine import Engine
from careguide.eval.harness import claims, run_eval, supported
from careguide.eval.metrics import Evidence, GoldItem
from careguide.eval.report import write_outputs
from careguide.eval.systems import BASELINES, CAREGUIDE, BM25Ranker
from careguide.ingest.storage import LibraryStore


def _items() -> list[GoldItem]:
    def ask(qid: str, question: str, quote: str, **kw: object) -> GoldItem:
        return GoldItem(
            id=qid,
            question=question,
            evidence=[Evidence(source="x.txt", quote=quote)],
            reference_answer=quote,
            **kw,
        )

    return [
        ask(
            "k1",
            "must the council assess a kinship carer for financial support",
            "The local authority must assess a kinship carer for financial support within 28 days",
            audience="carer",
            difficulty="easy",
        ),
        ask(
            "s1",
            "who are the safeguarding partners",
            "Safeguarding partners are the local authority, the integrated care board and police",
            audience="practitioner",
            difficulty="hard",
        ),
        GoldItem(id="u1", question="what time does the swimming pool open", answerable=False),
        GoldItem(id="d1", question="a draft", draft=True),
    ]


def test_every_system_and_mode_is_reported(
    small_engine: tuple[Engine, LibraryStore], tmp_path: Path
) -> None:
    engine, library = small_engine
    report = run_eval(
        _items(),
        engine=engine,
        passages=library.passages(),
        documents=library.documents(),
        modes=("audience", "child"),
    )
    assert [s.name for s in report.systems] == [CAREGUIDE, *BASELINES]
    assert set(report.deltas) == set(BASELINES)
    assert (report.items, report.answerable, report.unanswerable) == (3, 2, 1)
    assert report.drafts_skipped == 1
    ours = report.systems[0]
    assert ours.recall_at_10 == 1.0 and 0 < ours.mrr_at_10 <= 1
    assert ours.context_recall is not None and ours.context_recall > 0
    assert [m.mode for m in report.answers] == ["audience", "child"]
    assert {g.group for g in report.by_audience} == {"carer", "practitioner"}
    assert {g.group for g in report.by_difficulty} == {"easy", "hard", "(none)"}
    assert report.ragas is not None and report.ragas.answer_semantic_similarity is not None
    assert report.ragas.faithfulness is None and report.ragas.judge is None
    for miss in report.misses:
        assert len(miss.top) <= 3 and miss.why

    paths = write_outputs(report, tmp_path / "out")
    names = {p.name for p in paths}
    assert names == {"metrics.json", "report.md", "recall_at_k.png", "reading_grade.png"}
    again = json.loads((tmp_path / "out" / "metrics.json").read_text())
    assert again["systems"][0]["name"] == CAREGUIDE
    text = (tmp_path / "out" / "report.md").read_text()
    assert "| careguide |" in text and "careguide minus each baseline" in text


def test_bm25_baseline_ranks_the_matching_passage_first(
    small_engine: tuple[Engine, LibraryStore],
) -> None:
    _, library = small_engine
    ranker = BM25Ranker(library.passages())
    top = ranker.rank("inspection report published working days", 3)
    assert "published within twenty working days" in top[0].text
    assert ranker.rank("the and of", 3) == []


def _answer(text: str, cited: str, mode: Mode = Mode.practitioner) -> Answer:
    citation = Citation(
        n=1,
        passage_id="p",
        citation="c",
        source="s",
        doc_id="d",
        title="t",
        text=cited,
        date="",
        status="current",
    )
    return Answer(id="a", question="q", mode=mode, answer=text, citations=[citation], grounded=True)


def test_supported_sentences_follow_their_markers() -> None:
    passage = "The council must assess the carer within 28 days of the request being made."
    a = _answer(
        "The council must assess the carer within 28 days of the request. [1] "
        "Carers are paid a weekly allowance by the government of the day. [1]",
        passage,
    )
    assert [n for _, n in claims(a)] == [[1], [1]]
    assert supported(a) == (1, 2)
    trainer = _answer(
        "The council must assess the carer within 28 days of the request. [1]\n\nLook up: [1] c",
        passage,
        Mode.trainer,
    )
    assert supported(trainer) == (1, 1)
