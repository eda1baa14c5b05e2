"""The ingest pipeline and command: batches with bad files, re-ingest, dry-run JSON."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from careguide.api.cli import app
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.settings import IngestSettings
from careguide.ingest.storage import LibraryStore

GOOD = (
    "Kinship care guide\n\nPublished March 2024\n\n"
    "1. Councils should tell kinship carers what support they offer, including allowances, "
    "training and peer support groups, and publish it as a local offer that carers can find. "
    "Carers can ask for a review of an allowance at any time.\n\n"
    "2. A special guardian may ask the council for an assessment of support needs, and the "
    "council must consider the request and explain its decision in writing to the carer.\n"
)


def _write(folder: Path, name: str, data: bytes | str) -> Path:
    p = folder / name
    p.write_bytes(data.encode() if isinstance(data, str) else data)
    return p


def test_bad_files_are_reported_and_the_batch_goes_on(tmp_path: Path) -> None:
    _write(tmp_path, "good.txt", GOOD)
    _write(tmp_path, "empty.txt", "")
    _write(tmp_path, "junk.pdf", os.urandom(2000))
    _write(tmp_path, "cp1252.txt", GOOD.replace("Councils", "Councils’").encode("cp1252"))
    (tmp_path / "loop").mkdir()
    (tmp_path / "loop" / "back").symlink_to(tmp_path, target_is_directory=True)
    result = ingest_paths([tmp_path], IngestSettings())
    by_name = {r.source: r for r in result.reports}
    assert by_name["good.txt"].status == "ingested" and by_name["good.txt"].passages >= 1
    assert by_name["cp1252.txt"].status == "ingested"
    assert by_name["empty.txt"].status == "failed" and "empty" in (by_name["empty.txt"].error or "")
    assert by_name["junk.pdf"].status == "failed"
    assert any("loops back" in (r.error or "") for r in result.reports)
    for r in result.failed:
        assert r.error and "\n" not in r.error


def test_uncatalogued_file_gets_inferred_metadata(tmp_path: Path) -> None:
    _write(tmp_path, "local-procedure.txt", GOOD)
    result = ingest_paths([tmp_path], IngestSettings())
    meta = result.passages[0].meta
    assert meta.inferred and meta.title == "Kinship care guide" and meta.date.startswith("2024")


def test_reingest_skips_unchanged_and_replaces_changed(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    f = _write(src, "guide.txt", GOOD)
    library = LibraryStore(tmp_path / "data")
    first = ingest_paths([src], IngestSettings(), library=library)
    assert [r.status for r in first.reports] == ["ingested"]
    again = ingest_paths([src], IngestSettings(), library=library)
    assert [r.status for r in again.reports] == ["unchanged"]
    assert [p.id for p in again.passages] == [p.id for p in first.passages]
    f.write_text(GOOD.replace("peer support groups", "peer support groups and a helpline"))
    changed = ingest_paths([src], IngestSettings(), library=library)
    assert [r.status for r in changed.reports] == ["ingested"]
    texts = " ".join(p.text for p in library.passages())
    assert "a helpline" in texts
    assert len(library.documents()) == 1


def test_cli_dry_run_json_has_the_documented_fields(tmp_path: Path, corpus_dir: Path) -> None:
    shutil.copy(corpus_dir / "004_80413ab7c43692f4.txt", tmp_path)
    out = CliRunner().invoke(app, ["ingest", "--dry-run", "--json", str(tmp_path)])
    assert out.exit_code == 0
    rows = [json.loads(line) for line in out.stdout.splitlines() if line.startswith("{")]
    assert rows
    for key in (
        "source",
        "doc_id",
        "title",
        "citation",
        "heading_path",
        "paragraphs",
        "part",
        "pages",
        "kind",
        "text",
    ):
        assert key in rows[0]
    assert rows[0]["source"] == "004_80413ab7c43692f4.txt"


def test_cli_exits_non_zero_only_when_nothing_could_be_read(tmp_path: Path) -> None:
    _write(tmp_path, "empty.txt", "")
    env = {"CAREGUIDE_DATA_DIR": str(tmp_path / "data")}
    bad = CliRunner().invoke(app, ["ingest", str(tmp_path / "empty.txt")], env=env)
    assert bad.exit_code == 1
    assert "empty" in bad.stderr and "Traceback" not in bad.stderr
    _write(tmp_path, "good.txt", GOOD)
    mixed = CliRunner().invoke(app, ["ingest", str(tmp_path)], env=env)
    assert mixed.exit_code == 0


@pytest.mark.parametrize("name", ["missing.txt", "nowhere/"])
def test_missing_paths_are_one_line_errors(tmp_path: Path, name: str) -> None:
    result = ingest_paths([tmp_path / name], IngestSettings())
    assert result.failed and "does not exist" in (result.failed[0].error or "")
