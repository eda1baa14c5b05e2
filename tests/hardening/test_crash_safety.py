"""Crash safety: killed ingests leave the last complete index; a damaged index is refused in
one line naming the recovery, the server still starts and says so, and an ingest mends it."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest
from conftest_app import app_settings, build_library, make_app
from loopback import running_server

from careguide.eval.crash_check import (
    PROBE,
    complete_ingest,
    kill_runs,
    live_index,
    make_versions,
    passage_count,
)
from careguide.index.edge_store import POINTER, EdgeStore
from careguide.index.embedder import HashingEmbedder
from careguide.index.settings import IndexSettings
from careguide.index.store import Store
from careguide.ingest.errors import IndexMissingError
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.settings import IngestSettings
from careguide.ingest.storage import LibraryStore


@pytest.mark.slow
def test_ingests_killed_at_random_moments_leave_the_last_complete_index(tmp_path: Path) -> None:
    folders = make_versions(tmp_path)
    data_dir = tmp_path / "data"

    runs = kill_runs(data_dir, folders, runs=5, seed=9)

    assert [r.problem for r in runs] == [""] * 5
    assert all(r.ok for r in runs)
    assert sum(not r.finished_first for r in runs) >= 3  # most runs really were killed
    # and the next ingest completes, whatever the kills left behind
    final = "a" if runs[-1].version == "b" else "b"
    complete_ingest(folders[final], data_dir)
    _, count, found = live_index(data_dir, PROBE[final])
    assert count == passage_count(folders[final]) and found


# --- damage -----------------------------------------------------------------------------------


def _live(data_dir: Path) -> Path:
    pointer = json.loads((data_dir / "index" / POINTER).read_text())
    return data_dir / "index" / pointer["collection"]


def garble_pointer(data_dir: Path) -> None:
    (data_dir / "index" / POINTER).write_text('{"collec')


def garble_config(data_dir: Path) -> None:
    for path in _live(data_dir).rglob("*.json"):
        path.write_bytes(b"\x00 not json")


def overwrite_data(data_dir: Path) -> None:
    for path in _live(data_dir).rglob("*"):
        if path.suffix in {".dat", ".mmap"}:
            with path.open("r+b") as fh:
                fh.write(os.urandom(min(4096, path.stat().st_size)))


def truncate_everything(data_dir: Path) -> None:
    for path in _live(data_dir).rglob("*"):
        if path.is_file():
            path.write_bytes(b"")


def delete_segments(data_dir: Path) -> None:
    shutil.rmtree(_live(data_dir) / "segments")


DAMAGE = [garble_pointer, garble_config, overwrite_data, truncate_everything, delete_segments]


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_a_damaged_index_is_refused_in_one_line_and_the_next_build_replaces_it(
    tmp_path: Path, damage: Callable[[Path], None]
) -> None:
    settings = build_library(tmp_path)
    passages = LibraryStore(tmp_path).passages()
    damage(tmp_path)

    with pytest.raises(IndexMissingError) as refused:
        EdgeStore(IndexSettings(), tmp_path).count()

    message = str(refused.value)
    assert message.startswith(f"the index in {tmp_path / 'index'} is damaged (")
    assert message.endswith("); rebuild it with `careguide ingest`")
    assert "\n" not in message
    with EdgeStore(settings.index, tmp_path) as store, pytest.warns(UserWarning, match="damaged"):
        rebuilt = store.index(passages, HashingEmbedder(dim=64))
    assert rebuilt.embedded == len(passages)  # nothing is trusted from the damaged build
    with EdgeStore(settings.index, tmp_path) as store:
        assert store.count() == len(passages)
        assert store.builds() == [rebuilt.collection]


def test_the_server_starts_on_a_damaged_index_and_says_how_to_recover(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build_library(tmp_path)
    overwrite_data(tmp_path)
    (tmp_path / "library" / "passages.jsonl").write_text("{ half a line")
    app, engine = make_app(app_settings(tmp_path))

    with running_server(app) as base, httpx.Client(base_url=base, timeout=30) as http:
        health = http.get("/api/health").json()
        search = http.post("/api/search", json={"question": "kinship care"})
        documents = http.get("/api/documents")
    engine.close()

    warned = [r.getMessage() for r in caplog.records if "damaged" in r.getMessage()]
    assert warned and "rebuild it with `careguide ingest`" in warned[0]
    assert health["status"] == "degraded" and health["index"]["state"] == "missing"
    assert "is damaged" in health["index"]["detail"]
    assert search.status_code == 503
    assert search.json()["detail"].endswith("rebuild it with `careguide ingest`")
    assert documents.status_code == 200  # the library still lists; the log says what broke
    assert any("passages.jsonl is damaged" in r.getMessage() for r in caplog.records)

    # the recovery the messages name: ingest again (here in process, with the same fake model)
    settings = app_settings(tmp_path)
    result = ingest_paths([tmp_path / "corpus"], settings.ingest, library=LibraryStore(tmp_path))
    _, engine = make_app(settings)
    with engine, pytest.warns(UserWarning, match="damaged"):
        engine.index(result.passages)
        assert engine.store.count() == len(result.passages)
        assert engine.search("kinship care", k=3)


@pytest.mark.parametrize("damaged", ["meta.json", "storage.sqlite"])
def test_a_damaged_local_mode_index_says_to_delete_and_rebuild(
    tmp_path: Path, damaged: str
) -> None:
    settings = IndexSettings(engine="local")
    passages = ingest_paths([make_versions(tmp_path)["a"]], IngestSettings()).passages
    with Store(settings, tmp_path) as store:
        store.index(passages, HashingEmbedder(dim=64))
    for path in (tmp_path / "index").rglob(damaged):
        path.write_bytes(b"\x00 damaged " * 50)

    with pytest.raises(IndexMissingError) as refused:
        Store(settings, tmp_path).count()

    assert str(refused.value).startswith(f"the index in {tmp_path / 'index'} is damaged (")
    assert str(refused.value).endswith(
        "); delete that folder and rebuild it with `careguide ingest`"
    )
    shutil.rmtree(tmp_path / "index")
    with Store(settings, tmp_path) as store:
        store.index(passages, HashingEmbedder(dim=64))
        assert store.count() == len(passages)
