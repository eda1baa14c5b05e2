"""Settings for the ingest stage. Built by the entry points and passed down."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field


class IngestSettings(BaseModel):
    """How files are read and cut into passages."""

    max_file_mb: float = Field(default=50.0, description="Files larger than this are refused.")
    min_words: int = Field(
        default=60, description="Passages shorter than this merge with neighbours where they can."
    )
    max_words: int = Field(
        default=350, description="Passages longer than this split at sentence ends."
    )
    ocr_language: str = Field(default="eng", description="Tesseract language for scanned PDFs.")
    catalogue_path: Path | None = Field(
        default=None,
        description="Catalogue of sources; None uses the bundled guides/catalogue.yaml.",
    )
