"""Answer feedback kept in SQLite in the data directory: helpful or not, a wrong citation,
and what was rated (the question, the answer mode, the cited passages), so that
``careguide eval --from-feedback`` can turn flagged answers into draft gold items alone.

The question and the comment are redacted (``careguide.api.redact``) before they are
stored: people type names and numbers into question and comment boxes. Each call opens its
own connection, so the store may be used from any thread. A file written before the
question, mode and cited columns existed gets them added (``ALTER TABLE``) on first use;
its rows keep everything and read back with those fields empty.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, Field, StrictBool, StrictInt, field_validator

from careguide.api.answer_models import Mode
from careguide.api.redact import redact

__all__ = ["MAX_CITED", "MAX_QUESTION", "FeedbackEntry", "FeedbackRecord", "FeedbackStore"]

MAX_QUESTION = 2000  # as /api/ask takes
MAX_CITED = 50
PASSAGE_ID_PATTERN = r"^[a-z0-9][a-z0-9-]{0,119}:[a-z0-9-]{1,40}$"
"""A passage id as the API takes it: "<doc id>:<hash>" (also /api/passages/{id})."""
PASSAGE_ID = re.compile(PASSAGE_ID_PATTERN)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    citation_wrong INTEGER,
    comment TEXT NOT NULL DEFAULT '',
    question TEXT NOT NULL DEFAULT '',
    mode TEXT,
    cited TEXT NOT NULL DEFAULT '[]'
)
"""
# Columns added since the first release, with their definitions, for ALTER TABLE.
_ADDED = {
    "question": "TEXT NOT NULL DEFAULT ''",
    "mode": "TEXT",
    "cited": "TEXT NOT NULL DEFAULT '[]'",
}
_COLUMNS = "id, created, answer_id, helpful, citation_wrong, comment, question, mode, cited"


class FeedbackEntry(BaseModel):
    """What a reader says about one answer."""

    answer_id: str = Field(
        min_length=1,
        max_length=128,
        pattern=r"^[A-Za-z0-9_.:-]+$",
        description="The answer's id, as /api/ask returned it.",
    )
    helpful: StrictBool = Field(description="Whether the answer helped.")
    citation_wrong: StrictInt | None = Field(
        default=None,
        ge=1,
        le=100,
        description="The number [n] of a citation that does not support its sentence.",
    )
    comment: str = Field(
        default="",
        max_length=2000,
        description="Free text; do not include personal details (they are redacted).",
    )
    question: str = Field(
        default="",
        max_length=MAX_QUESTION,
        description="The question the rated answer answered (a follow-up as resolved); "
        "personal details are redacted before it is stored.",
    )
    mode: Mode | None = Field(default=None, description="The answer's mode.")
    cited: Annotated[list[str], Field(max_length=MAX_CITED)] = Field(
        default_factory=list,
        description="The passage ids of the answer's citations in order: the first is [1].",
    )

    @field_validator("cited")
    @classmethod
    def _passage_ids(cls, value: list[str]) -> list[str]:
        for item in value:
            if not PASSAGE_ID.match(item):
                shown = item if len(item) <= 40 else item[:40] + "…"
                raise ValueError(
                    f"{shown!r} is not a passage id; send each citation's passage_id as "
                    "/api/ask returned it (such as 'doc-id:abc123def456')"
                )
        return value


class FeedbackRecord(FeedbackEntry):
    """A stored entry, as the admin export writes it."""

    id: int
    created: str = Field(description="When it was received (UTC, ISO 8601).")


class FeedbackStore:
    """The feedback table in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._migrated = False
        self._lock = threading.Lock()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(_SCHEMA)  # every time: the file may have been deleted by hand
        with self._lock:
            if not self._migrated:
                _add_missing_columns(conn)
                self._migrated = True
        return conn

    def add(self, entry: FeedbackEntry) -> FeedbackRecord:
        created = datetime.now(UTC).isoformat(timespec="seconds")
        stored = entry.model_copy(
            update={
                "comment": redact(entry.comment.strip()),
                "question": redact(" ".join(entry.question.split())),
            }
        )
        with closing(self._connect()) as conn, conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created, answer_id, helpful, citation_wrong, comment, "
                "question, mode, cited) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    created,
                    stored.answer_id,
                    int(stored.helpful),
                    stored.citation_wrong,
                    stored.comment,
                    stored.question,
                    stored.mode.value if stored.mode else None,
                    json.dumps(stored.cited),
                ),
            )
            row_id = cursor.lastrowid
        assert row_id is not None  # an INSERT always sets it
        return _record(id=row_id, created=created, **dict(stored))

    def records(self) -> Iterator[FeedbackRecord]:
        """Every entry, oldest first."""
        if not self.path.exists():
            return
        with closing(self._connect()) as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM feedback ORDER BY id").fetchall()
        for row_id, created, answer_id, helpful, wrong, comment, question, mode, cited in rows:
            yield _record(
                id=row_id,
                created=created,
                answer_id=answer_id,
                helpful=bool(helpful),
                citation_wrong=wrong,
                comment=comment,
                question=question or "",
                mode=next((m for m in Mode if m.value == mode), None),
                cited=_cited(cited),
            )

    def export_jsonl(self) -> str:
        """Every entry as JSON lines."""
        return "".join(
            json.dumps(r.model_dump(mode="json"), ensure_ascii=False) + "\n" for r in self.records()
        )


def _add_missing_columns(conn: sqlite3.Connection) -> None:
    """Bring a file written by an older careguide up to the current columns, rows kept."""
    have = {row[1] for row in conn.execute("PRAGMA table_info(feedback)")}
    for name, definition in _ADDED.items():
        if name in have:
            continue
        try:
            conn.execute(f"ALTER TABLE feedback ADD COLUMN {name} {definition}")
        except sqlite3.OperationalError as error:  # another process added it first
            if "duplicate column" not in str(error):
                raise
    conn.commit()


def _record(**fields: Any) -> FeedbackRecord:
    """A record of fields already checked: the entry was validated as it came in, and a
    redaction tag may since have made a text longer than its limit ("M1 1AA" becomes
    "[postcode]"), which must not stop it being stored or exported."""
    return FeedbackRecord.model_construct(**fields)


def _cited(stored: str | None) -> list[str]:
    try:
        value = json.loads(stored or "[]")
    except ValueError:
        return []
    return [str(v) for v in value] if isinstance(value, list) else []
