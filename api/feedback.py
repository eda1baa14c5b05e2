"""Answer feedback kept in SQLite in the data directory: helpful or not, a wrong citation.

Comments are redacted (``careguide.api.redact``) before they are stored: people type
names and numbers into comment boxes. Each call opens its own connection, so the store
may be used from any thread.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field, StrictBool, StrictInt

from careguide.api.redact import redact

__all__ = ["FeedbackEntry", "FeedbackRecord", "FeedbackStore"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created TEXT NOT NULL,
    answer_id TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    citation_wrong INTEGER,
    comment TEXT NOT NULL DEFAULT ''
)
"""


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


class FeedbackRecord(FeedbackEntry):
    """A stored entry, as the admin export writes it."""

    id: int
    created: str = Field(description="When it was received (UTC, ISO 8601).")


class FeedbackStore:
    """The feedback table in one SQLite file."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=10)
        conn.execute(_SCHEMA)
        return conn

    def add(self, entry: FeedbackEntry) -> FeedbackRecord:
        created = datetime.now(UTC).isoformat(timespec="seconds")
        comment = redact(entry.comment.strip())
        with closing(self._connect()) as conn, conn:
            cursor = conn.execute(
                "INSERT INTO feedback (created, answer_id, helpful, citation_wrong, comment) "
                "VALUES (?, ?, ?, ?, ?)",
                (created, entry.answer_id, int(entry.helpful), entry.citation_wrong, comment),
            )
            row_id = cursor.lastrowid
        assert row_id is not None  # an INSERT always sets it
        return FeedbackRecord(
            id=row_id, created=created, **entry.model_dump(exclude={"comment"}), comment=comment
        )

    def records(self) -> Iterator[FeedbackRecord]:
        """Every entry, oldest first."""
        if not self.path.exists():
            return
        with closing(self._connect()) as conn:
            rows = conn.execute(
                "SELECT id, created, answer_id, helpful, citation_wrong, comment "
                "FROM feedback ORDER BY id"
            ).fetchall()
        for row_id, created, answer_id, helpful, wrong, comment in rows:
            yield FeedbackRecord(
                id=row_id,
                created=created,
                answer_id=answer_id,
                helpful=bool(helpful),
                citation_wrong=wrong,
                comment=comment,
            )

    def export_jsonl(self) -> str:
        """Every entry as JSON lines."""
        return "".join(
            json.dumps(r.model_dump(), ensure_ascii=False) + "\n" for r in self.records()
        )
