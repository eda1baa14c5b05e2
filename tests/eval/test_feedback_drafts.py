"""Flagged feedback becomes draft gold items that the eval skips until reviewed: from the
stored records alone (question, mode and cited passages kept with the feedback, the
passages' text read from the library), or, for records older than that, from --answers."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from careguide.api.answer_models import Answer, Citation, Mode
from careguide.api.cli import app
from careguide.api.feedback import FeedbackEntry, FeedbackStore
from careguide.api.settings import Settings
from careguide.eval.feedback_drafts import candidate_quote
from careguide.eval.metrics import load_gold, tokens
from careguide.ingest.models import Passage
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore

runner = CliRunner()


def _drafts(tmp_path: Path, *extra: str) -> tuple[list[dict[str, Any]], str]:
    out = tmp_path / "drafts"
    result = runner.invoke(
        app,
        ["eval", "--from-feedback", "--out", str(out), *extra],
    )
    assert result.exit_code == 0, result.stdout + result.stderr
    rows = [json.loads(line) for line in (out / "drafts.jsonl").read_text().splitlines()]
    load_gold(out / "drafts.jsonl")  # gold format: the eval reads (and then skips) them
    return rows, result.stderr


@pytest.fixture
def library(made_up_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[Passage]:
    """The made-up documents read into a data directory (no index needed) that the CLI uses."""
    data_dir = tmp_path / "data"
    ingest_paths(
        [made_up_corpus], Settings(data_dir=data_dir).ingest, library=LibraryStore(data_dir)
    )
    monkeypatch.setenv("CAREGUIDE_DATA_DIR", str(data_dir))
    return LibraryStore(data_dir).passages()


def _find(passages: list[Passage], words: str) -> Passage:
    return next(p for p in passages if words in p.text)


def test_drafts_come_from_the_stored_feedback_alone(library: list[Passage], tmp_path: Path) -> None:
    assess = _find(library, "must assess a kinship carer")
    allowance = _find(library, "Special guardianship allowance")
    report = _find(library, "An inspection report is published")
    store = FeedbackStore(tmp_path / "data" / "feedback.sqlite3")
    question = "how quickly must the council assess a kinship carer for financial support"
    cited = [assess.id, report.id]
    store.add(FeedbackEntry(answer_id="happy", helpful=True, question=question, cited=cited))
    store.add(
        FeedbackEntry(
            answer_id="a1",
            helpful=True,
            citation_wrong=2,
            comment="the second is about inspections",
            question=question + " (call 07700 900123)",
            mode=Mode.carer,
            cited=cited,
        )
    )
    store.add(
        FeedbackEntry(
            answer_id="a2",
            helpful=False,
            question="who pays a special guardianship allowance",
            mode=Mode.practitioner,
            cited=[allowance.id, "gone-doc:0123456789ab"],
        )
    )
    store.add(
        FeedbackEntry(
            answer_id="a3",
            helpful=False,
            question="when does the swimming pool open",
            mode=Mode.child,
            cited=[],
        )
    )

    rows, stderr = _drafts(tmp_path)  # no --answers, no --feedback-db: the service's file

    assert "3 draft gold items" in stderr
    wrong, unhelpful, declined = rows
    assert all(r["draft"] is True and r["review"] for r in rows)
    assert [r["id"] for r in rows] == ["fb2", "fb3", "fb4"]

    # helpful, citation [2] flagged: [1] is the candidate evidence, [2] is listed as wrong
    assert wrong["question"] == question + " (call [phone])"  # as stored: redacted
    assert wrong["audience"] == "carer" and wrong["answerable"] is True
    (evidence,) = wrong["evidence"]
    assert evidence["source"] == assess.source
    assert evidence["quote"] in " ".join(assess.text.split())
    assert 8 <= len(evidence["quote"].split()) <= 25
    assert "28 days" in evidence["quote"]  # the sentence that shares the question's words
    (flagged,) = wrong["wrong_evidence"]
    assert flagged["source"] == report.source
    assert flagged["quote"] in " ".join(report.text.split())
    assert f"citation [2] {report.citation} ({report.id})" in wrong["review"]
    assert "the second is about inspections" in wrong["review"]

    # not helpful: no candidate evidence; the review names what careguide cited
    assert unhelpful["evidence"] == [] and unhelpful["wrong_evidence"] == []
    assert "did not help" in unhelpful["review"] and allowance.id in unhelpful["review"]
    assert "gone-doc:0123456789ab" in unhelpful["review"].split("not found in the library")[1]

    # nothing cited: careguide declined, so the draft starts unanswerable
    assert declined["answerable"] is False and declined["audience"] == "child"
    assert "cited nothing" in declined["review"]


def _citation(n: int, text: str) -> Citation:
    return Citation(
        n=n,
        passage_id=f"doc:p{n}",
        citation=f"Doc, para {n}",
        source=f"doc{n}.txt",
        doc_id="doc",
        title="Doc",
        text=text,
        date="2023",
        status="current",
    )


def _old_feedback_file(path: Path) -> None:
    """A feedback file as careguide wrote it before questions were kept."""
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(
            "CREATE TABLE feedback (id INTEGER PRIMARY KEY AUTOINCREMENT, created TEXT NOT NULL, "
            "answer_id TEXT NOT NULL, helpful INTEGER NOT NULL, citation_wrong INTEGER, "
            "comment TEXT NOT NULL DEFAULT '')"
        )
        conn.executemany(
            "INSERT INTO feedback (created, answer_id, helpful, citation_wrong, comment) "
            "VALUES ('2024-01-01T00:00:00+00:00', ?, ?, ?, ?)",
            [("good", 1, None, ""), ("a1", 1, 2, "wrong para"), ("gone", 0, None, "")],
        )


def test_old_feedback_takes_its_question_from_answers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "old.sqlite3"
    _old_feedback_file(db)
    answered = Answer(
        id="a1",
        question="and how long does it take",
        resolved_question="how long does a kinship assessment take",
        mode=Mode.carer,
        answer="It takes 16 weeks. [1] It is free. [2]",
        citations=[
            _citation(1, "The assessment should be completed within 16 weeks of the request."),
            _citation(2, "Parking at the council offices is free for visitors."),
        ],
        grounded=True,
    )
    answers = tmp_path / "answers.jsonl"
    answers.write_text(answered.model_dump_json() + "\n", encoding="utf-8")
    monkeypatch.setenv("CAREGUIDE_DATA_DIR", str(tmp_path / "no-library"))

    rows, stderr = _drafts(tmp_path, "--feedback-db", str(db), "--answers", str(answers))

    assert "2 draft gold items" in stderr
    first, second = rows
    assert first["question"] == answered.resolved_question and first["audience"] == "carer"
    assert [e["source"] for e in first["evidence"]] == ["doc1.txt"]
    assert [e["source"] for e in first["wrong_evidence"]] == ["doc2.txt"]
    assert "citation [2]" in first["review"] and "wrong para" in first["review"]
    assert second["question"] == "" and "write the question" in second["review"]


@pytest.mark.parametrize(
    ("make", "args", "message"),
    [
        (None, ["--feedback-db", "{tmp}/none.sqlite3"], "no feedback at"),
        ("not-sqlite", ["--feedback-db", "{tmp}/f.sqlite3"], "is not a feedback file"),
        (
            "answers",
            ["--feedback-db", "{tmp}/f.sqlite3", "--answers", "{tmp}/a.jsonl"],
            "line 1 is not an answer",
        ),
    ],
)
def test_bad_input_is_one_line_and_exit_2(
    tmp_path: Path, make: str | None, args: list[str], message: str
) -> None:
    if make == "not-sqlite":
        (tmp_path / "f.sqlite3").write_text("this is not a database, it is a note " * 20)
    if make == "answers":
        FeedbackStore(tmp_path / "f.sqlite3").add(FeedbackEntry(answer_id="x", helpful=False))
        (tmp_path / "a.jsonl").write_text('{"id": "x"}\n')
    result = runner.invoke(
        app, ["eval", "--from-feedback", *(a.format(tmp=tmp_path) for a in args)]
    )
    assert result.exit_code == 2, result.stdout + result.stderr
    assert message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) <= 2


def test_candidate_quote_is_the_closest_sentence_of_the_passage() -> None:
    text = (
        "Kinship care is common. The local authority must assess a kinship carer for "
        "financial support within 28 days of the request. Parking is free. A very long "
        "sentence follows here with many words that go on and on well past the limit of "
        "twenty five words that a gold quote may have, so it must be cut."
    )
    quote = candidate_quote(text, "how soon must a kinship carer be assessed for support")
    assert quote.startswith("The local authority must assess") and quote in text
    short = candidate_quote(text, "is parking free")
    assert short.startswith("Parking is free.") and len(short.split()) == 8
    long = candidate_quote(text, "a very long sentence past the limit")
    assert long.startswith("A very long") and len(long.split()) == 25
    assert tokens(long) == tokens(" ".join(text.split()[-33:-8]))
    assert candidate_quote("", "anything") == ""
