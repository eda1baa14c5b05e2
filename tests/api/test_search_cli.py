"""`careguide ingest` + `careguide search` end to end with the real model on real text."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careguide.api.cli import app

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory, corpus_dir: Path) -> dict[str, str]:
    """A data directory holding an index of two sample files (built once per module)."""
    root = tmp_path_factory.mktemp("search")
    src = root / "src"
    src.mkdir()
    for name in ("004_80413ab7c43692f4.txt", "001_af527735ee4a1082.txt"):
        shutil.copy(corpus_dir / name, src)
    env = {"CAREGUIDE_DATA_DIR": str(root / "data"), "CAREGUIDE_CORPUS": str(src)}
    result = CliRunner().invoke(app, ["ingest", str(src)], env=env)
    assert result.exit_code == 0, result.stderr
    assert "indexed" in result.stderr
    return env


def test_search_json_has_the_documented_fields(env: dict[str, str]) -> None:
    out = CliRunner().invoke(
        app,
        ["search", "a new specialist regulator for social workers", "--json", "--k", "3"],
        env=env,
    )
    assert out.exit_code == 0, out.stderr
    result = json.loads(out.stdout)
    assert result["question"] == "a new specialist regulator for social workers"
    hits = result["hits"]
    assert [h["rank"] for h in hits] == [1, 2, 3]
    for key in (
        "score",
        "source",
        "doc_id",
        "title",
        "citation",
        "heading_path",
        "paragraphs",
        "pages",
        "date",
        "status",
        "text",
    ):
        assert key in hits[0]
    assert "regulat" in " ".join(h["text"] for h in hits).lower()


def test_everyday_words_find_the_official_ones(env: dict[str, str]) -> None:
    out = CliRunner().invoke(
        app, ["search", "help for kids leaving care up to 25", "--json", "--k", "3"], env=env
    )
    texts = " ".join(h["text"] for h in json.loads(out.stdout)["hits"])
    assert "care leavers up to the age of 25" in texts


def test_batch_search_answers_every_line(env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "q.jsonl"
    batch.write_text(
        '{"id": "a", "question": "what is the What Works Centre", "extra": 1}\n'
        '{"id": "b", "question": "staying close for young people leaving residential care"}\n'
    )
    out = CliRunner().invoke(app, ["search", "--batch", str(batch), "--k", "2"], env=env)
    rows = [json.loads(line) for line in out.stdout.splitlines()]
    assert [r["id"] for r in rows] == ["a", "b"]
    assert all(len(r["hits"]) == 2 for r in rows)


def test_bad_batch_line_is_one_clear_error(env: dict[str, str], tmp_path: Path) -> None:
    batch = tmp_path / "bad.jsonl"
    batch.write_text('{"id": "a"}\n')
    out = CliRunner().invoke(app, ["search", "--batch", str(batch)], env=env)
    assert out.exit_code == 1
    assert "bad.jsonl line 1 has no 'question' text" in out.stderr


def test_unknown_kind_filter_is_refused(env: dict[str, str]) -> None:
    out = CliRunner().invoke(app, ["search", "x", "--kind", "novel"], env=env)
    assert out.exit_code == 2 and "unknown document kind 'novel'" in out.stderr


def test_search_before_any_ingest_says_what_to_do(tmp_path: Path) -> None:
    out = CliRunner().invoke(app, ["search", "kinship"], env={"CAREGUIDE_DATA_DIR": str(tmp_path)})
    assert out.exit_code == 1
    assert "run `careguide ingest` first" in out.stderr and "Traceback" not in out.stderr


def test_a_second_process_gets_one_clear_line(env: dict[str, str]) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            (
                "import sys, time\n"
                "from careguide.api.settings import Settings\n"
                "from careguide.api.engine import Engine\n"
                "engine = Engine(Settings()); engine.store.count()\n"
                "print('ready', flush=True); time.sleep(30)\n"
            ),
        ],
        env={**os.environ, **env},
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        started = time.monotonic()
        out = subprocess.run(
            [sys.executable, "-m", "careguide.api", "search", "kinship"],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert out.returncode == 1
        assert "is open in another careguide process; stop it, or use a Qdrant server" in out.stderr
        assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1
        assert time.monotonic() - started < 60
    finally:
        holder.kill()
        holder.wait()
