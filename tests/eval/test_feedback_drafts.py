"""Flagged feedback becomes draft gold items that the eval skips until reviewed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careguide.api.answer_models import Answer, Citation, Mode
from careguide.api.cli import app
from careguide.api.feedback import FeedbackEntry, FeedbackStore
from careguide.eval.metrics import load_gold

runner = CliRunner()


def _citation(n: int, text: str) -> Citation:
    return Citation(
        n=n,
        passage_id=f"p{n}",
        citation=f"Doc, para {n}",
        source=f"doc{n}.txt",
        doc_id="d",
        title="Doc",
        text=text,
        date="2023",
        status="current",
    )


def test_flagged_feedback_becomes_drafts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    store.add(FeedbackEntry(answer_id="good", helpful=True))
    store.add(FeedbackEntry(answer_id="a1", helpful=False, citation_wrong=2, comment="wrong para"))
    store.add(FeedbackEntry(answer_id="gone", helpful=False))
    answered = Answer(
        id="a1",
        question="how long does a kinship assessment take",
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
    monkeypatch.setenv("CAREGUIDE_DATA_DIR", str(tmp_path / "data"))
    out = tmp_path / "drafts"
    result = runner.invoke(
        app,
        [
            "eval",
            "--from-feedback",
            "--feedback-db",
            str(store.path),
            "--answers",
            str(answers),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.stderr
    assert "2 draft gold items" in result.stderr
    drafts = load_gold(out / "drafts.jsonl")
    first, second = drafts
    assert all(d.draft for d in drafts)
    assert first.question == answered.question and first.audience == "carer"
    assert [e.source for e in first.evidence] == ["doc1.txt"]  # the flagged [2] is dropped
    assert "citation [2]" in first.review and "wrong para" in first.review
    assert second.question == "" and "write the question" in second.review
    rows = [json.loads(line) for line in (out / "drafts.jsonl").read_text().splitlines()]
    assert all(r["draft"] is True for r in rows)


def test_no_feedback_file_is_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["eval", "--from-feedback", "--feedback-db", str(tmp_path / "none.sqlite3")]
    )
    assert result.exit_code == 2
    assert "no feedback at" in result.stderr
