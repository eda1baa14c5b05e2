"""Helpers for the HTTP tests: a small library built in a temporary data directory, an app
over it with the hashing embedder, and a real uvicorn server on a free loopback port.

Imported explicitly by the test modules (``from conftest_app import ...``).
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from fastapi import FastAPI

from careguide.api.app import create_app
from careguide.api.engine import Engine
from careguide.api.server_settings import ServerSettings
from careguide.api.settings import Settings
from careguide.index.embedder import HashingEmbedder
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.storage import LibraryStore

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus"
# The two smallest sample files: the 2016 vision (OCR text) and the NSPCC summary.
SAMPLE_FILES = ("001_af527735ee4a1082.txt", "004_80413ab7c43692f4.txt")
TOKEN = "test-admin-token-0123456789"


def build_library(data_dir: Path, names: tuple[str, ...] = SAMPLE_FILES) -> Settings:
    """Copy sample files into ``data_dir/corpus``, ingest them, and index them."""
    corpus = data_dir / "corpus"
    corpus.mkdir(parents=True, exist_ok=True)
    for name in names:
        shutil.copy(CORPUS / name, corpus / name)
    settings = Settings(data_dir=data_dir)
    result = ingest_paths([corpus], settings.ingest, library=LibraryStore(data_dir))
    with make_engine(settings) as engine:
        engine.index(result.passages)
    return settings


def make_engine(settings: Settings) -> Engine:
    return Engine(settings, embedder=HashingEmbedder(dim=64))


def app_settings(data_dir: Path, *, token: str | None = TOKEN, **server: Any) -> Settings:
    """Settings for an app over ``data_dir``; ``server`` overrides ServerSettings fields."""
    defaults: dict[str, Any] = {"search_per_minute": 0, "ask_per_minute": 0}
    return Settings(
        data_dir=data_dir,
        admin_token=token,
        server=ServerSettings(**{**defaults, **server}),
    )


def make_app(settings: Settings, engine: Engine | None = None) -> tuple[FastAPI, Engine]:
    """An app over ``settings``; pass the engine already open on the same data directory
    (local-mode Qdrant admits one client per directory)."""
    engine = engine or make_engine(settings)
    return create_app(settings, engine=engine), engine
