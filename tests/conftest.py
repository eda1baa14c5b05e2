"""Shared fixtures: the sample corpus beside the project, and offline model settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PROJECT = Path(__file__).resolve().parent.parent
CORPUS = Path(os.environ.get("CAREGUIDE_TEST_CORPUS", PROJECT.parent / "shared" / "corpus"))
EVAL = CORPUS.parent / "eval"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    if not CORPUS.is_dir():
        pytest.fail(f"sample corpus not found at {CORPUS}; clone the project beside shared/")
    return CORPUS
