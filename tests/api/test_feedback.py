"""The feedback store in a real SQLite file: what it keeps, what it redacts, and a file
written by an older careguide (no question, mode or cited columns) upgraded in place."""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

from careguide.api.answer_models import Mode
from careguide.api.feedback import FeedbackEntry, FeedbackStore

OLD_SCHEMA = """
CREATE TABLE feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    citation_wrong INTEGER,
    comment TEXT NOT NULL DEFAULT ''
)
"""


def _old_file(path: Path) -> None:
    with closing(sqlite3.connect(path)) as conn, conn:
        conn.execute(OLD_SCHEMA)
        conn.execute(
            "INSERT INTO feedback (created, answer_id, helpful, citation_wrong, comment) "
            "VALUES ('2024-05-01T10:00:00+00:00', 'old1', 0, 3, 'the third one is wrong')"
        )


def test_an_older_file_gains_the_new_columns_and_keeps_its_rows(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    _old_file(path)
    store = FeedbackStore(path)

    (old,) = store.records()
    assert (old.id, old.answer_id, old.helpful, old.citation_wrong) == (1, "old1", False, 3)
    assert old.comment == "the third one is wrong" and old.created.startswith("2024-05-01")
    assert (old.question, old.mode, old.cited) == ("", None, [])

    new = store.add(
        FeedbackEntry(
            answer_id="new1",
            helpful=True,
            question="what is a kinship carer?",
            mode=Mode.carer,
            cited=["kinship-guide:0a1b2c3d4e5f", "kinship-guide:9f8e7d6c5b4a"],
        )
    )
    assert new.id == 2
    with closing(sqlite3.connect(path)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(feedback)")]
    assert columns[-3:] == ["question", "mode", "cited"]
    # another store (another process, say) finds the columns there and adds nothing
    again = list(FeedbackStore(path).records())
    assert [r.answer_id for r in again] == ["old1", "new1"]
    assert again[1].mode == Mode.carer and again[1].cited == new.cited

    rows = [json.loads(line) for line in store.export_jsonl().splitlines()]
    assert rows[0]["question"] == "" and rows[0]["cited"] == [] and rows[0]["mode"] is None
    assert rows[1]["question"] == "what is a kinship carer?" and rows[1]["mode"] == "carer"


def test_question_and_comment_are_redacted_even_when_tags_make_them_longer(
    tmp_path: Path,
) -> None:
    store = FeedbackStore(tmp_path / "feedback.sqlite3")
    question = "we live at M1 1AA " * 111  # 1998 characters; each postcode tag is longer
    saved = store.add(
        FeedbackEntry(
            answer_id="a1",
            helpful=False,
            question=question,
            comment="email me at jo@example.org\nor ring 0161 496 0000",
        )
    )
    (stored,) = store.records()
    assert "M1 1AA" not in stored.question and stored.question.count("[postcode]") == 111
    assert len(stored.question) > 2000 and stored.question == saved.question
    assert stored.comment == "email me at [email]\nor ring [phone]"
    assert json.loads(store.export_jsonl())["question"] == stored.question


def test_a_deleted_file_is_made_again(tmp_path: Path) -> None:
    path = tmp_path / "feedback.sqlite3"
    store = FeedbackStore(path)
    store.add(FeedbackEntry(answer_id="a1", helpful=True))
    path.unlink()  # "deleted by hand", as the README says
    store.add(FeedbackEntry(answer_id="a2", helpful=True, question="who decides?"))
    assert [(r.id, r.question) for r in store.records()] == [(1, "who decides?")]
