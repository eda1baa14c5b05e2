"""The library on disk: parsed documents (cleaned text + passages) and the passage set.

Layout under ``<data_dir>/library``::

    docs/<doc_id>.json     one StoredDocument each (metadata, cleaned text, passages)
    passages.jsonl         the de-duplicated passages that search indexes

Every write goes to a temporary file first and is moved into place with ``os.replace``,
so a killed ingest leaves the previous complete files.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from careguide.ingest.errors import IndexMissingError
from careguide.ingest.models import DocumentMeta, Passage


class StoredDocument(BaseModel):
    """A parsed document as kept in the library."""

    meta: DocumentMeta
    source: str
    path: str
    format: str
    sha256: str
    parser_version: str
    pages: int = 0
    text: str = Field(description="Cleaned text; passage offsets point into it.")
    passages: list[Passage]
    warnings: list[str] = Field(default_factory=list)
    ocr: bool = False


def write_atomic(path: Path, data: str) -> None:
    """Write text to path so readers see either the old or the new file, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


class LibraryStore:
    """Parsed documents and passages under ``<data_dir>/library``."""

    def __init__(self, data_dir: Path) -> None:
        self.root = data_dir / "library"
        self.docs_dir = self.root / "docs"
        self.passages_path = self.root / "passages.jsonl"

    def documents(self) -> list[StoredDocument]:
        """Every stored document (unreadable files are skipped: the next ingest rewrites them)."""
        out = []
        for f in sorted(self.docs_dir.glob("*.json")) if self.docs_dir.exists() else []:
            try:
                out.append(StoredDocument.model_validate_json(f.read_text(encoding="utf-8")))
            except (OSError, ValidationError, ValueError):
                continue
        return out

    def document(self, doc_id: str) -> StoredDocument | None:
        f = self.docs_dir / f"{doc_id}.json"
        if not f.exists():
            return None
        return StoredDocument.model_validate_json(f.read_text(encoding="utf-8"))

    def save(self, doc: StoredDocument) -> None:
        write_atomic(self.docs_dir / f"{doc.meta.doc_id}.json", doc.model_dump_json())

    def delete(self, doc_id: str) -> bool:
        f = self.docs_dir / f"{doc_id}.json"
        existed = f.exists()
        f.unlink(missing_ok=True)
        return existed

    def save_passages(self, passages: Iterable[Passage]) -> None:
        write_atomic(self.passages_path, "".join(p.model_dump_json() + "\n" for p in passages))

    def passages(self) -> list[Passage]:
        if not self.passages_path.exists():
            raise IndexMissingError(f"no passages in {self.root} yet; run `careguide ingest` first")
        try:
            lines = self.passages_path.read_text(encoding="utf-8").splitlines()
            return [Passage.model_validate(json.loads(line)) for line in lines if line.strip()]
        except (ValueError, ValidationError) as e:  # UnicodeDecodeError is a ValueError
            first = (str(e).strip().splitlines() or [type(e).__name__])[0][:120]
            raise IndexMissingError(
                f"{self.passages_path} is damaged ({first}); rebuild it with `careguide ingest`"
            ) from None
