"""Hostile files through `careguide ingest`: each is ingested or fails with a one-line reason,
and the good files in the same batch are ingested and searchable.

The batch (``careguide.eval.hostile_inputs.make_batch``) is generated here: truncated and
corrupt PDFs, an encrypted PDF, a 2,000-page PDF, an image-only PDF, a zip renamed .pdf,
HTML with scripts and 10 MB of nested tags, cp1252 and UTF-16 text, an empty file, NUL
bytes, names with Windows "..\\" parts, non-ASCII characters and bytes that are not UTF-8,
and a file given by a path through "../". The CLI runs in a subprocess with a temporary
data directory and the real model; `python -m careguide.eval.hostile_inputs` prints the
same outcomes with timings and peak memory.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from careguide.eval.hostile_inputs import (
    TRAVERSAL_NAME,
    UNDECODABLE_NAME,
    careguide_command,
    ingest_arguments,
    ingest_env,
    make_batch,
    nested_html,
    run_measured,
)
from careguide.index.analyser import sparse_vector
from careguide.index.edge_store import EdgeStore
from careguide.index.settings import IndexSettings
from careguide.ingest.pipeline import ingest_paths
from careguide.ingest.readers.dispatch import read_path
from careguide.ingest.settings import IngestSettings
from careguide.ingest.storage import LibraryStore

ROW = re.compile(r"^(?P<file>.+?)\s*│\s*(?P<status>ingested|failed|unchanged)\s*│")


def summary_rows(stderr: str) -> dict[str, tuple[str, str]]:
    """The CLI's summary table: file name -> (status, note), one row per line."""
    rows = {}
    for line in stderr.splitlines():
        match = ROW.match(line)
        if match:
            cells = [c.strip() for c in line.split("│")]
            rows[match["file"].strip()] = (match["status"], cells[-1])
    return rows


@pytest.mark.slow
def test_every_hostile_file_is_ingested_or_refused_in_one_line(tmp_path: Path) -> None:
    batch = tmp_path / "batch"
    expected = make_batch(batch)
    data_dir = tmp_path / "data"

    code, _, err, _, _ = run_measured(
        [*careguide_command(), "ingest", *ingest_arguments(batch)], ingest_env(data_dir)
    )

    assert code == 0, err[-3000:]
    assert "Traceback" not in err
    rows = summary_rows(err)
    for name, outcome in expected.items():
        shown = name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
        assert shown in rows, f"{shown} missing from the summary:\n{err}"
        status, note = rows[shown]
        if outcome.status != "either":
            assert status == outcome.status, (shown, status, note)
        if status == "failed":
            assert outcome.reason in note and shown in note, (shown, note)
            assert len(note) < 200  # one line in the table, not a traceback
    assert rows["long-2000-pages.pdf"][0] == "ingested"
    with EdgeStore(IndexSettings(), data_dir) as store:
        for probe, source in [
            ("kinship care policy", "good-kinship.txt"),
            ("personal adviser pathway plan", "good-leaving-care.md"),
            ("short breaks disabled children", "scripts-and-nesting.html"),
            ("private fostering policy", "reached-through-dotdot.txt"),
            ("keepsake carers", TRAVERSAL_NAME),
            ("family help", "utf-16-bom.txt"),
        ]:
            hits = store.search("sparse", sparse_vector(probe), limit=20)
            assert source in {p.source for p, _ in hits}, probe
            for passage, _ in hits:
                assert "<script" not in passage.text and "alert(" not in passage.text
    docs = sorted(p.name for p in (data_dir / "library" / "docs").iterdir())
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*\.json", name) for name in docs), docs
    outside = {p.name for p in tmp_path.iterdir()}
    assert outside == {"batch", "data"}  # nothing was written beside the data directory


def test_a_file_name_that_is_not_utf8_does_not_stop_the_batch(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / os.fsdecode(UNDECODABLE_NAME)).write_text(
        "Kinship carers may get an allowance. " * 20
    )
    (folder / "good.txt").write_text("Care leavers get a personal adviser until 25. " * 20)
    library = LibraryStore(tmp_path / "data")

    result = ingest_paths([folder], IngestSettings(), library=library)

    assert [r.status for r in result.reports] == ["ingested", "ingested"]
    sources = sorted(d.source for d in library.documents())
    assert sources == ["good.txt", "latin1-\ufffdt\ufffd-guide.txt"]
    assert len(library.passages()) == len(result.passages)


def test_scripts_and_ten_megabytes_of_nested_tags_leave_only_the_text(tmp_path: Path) -> None:
    path = tmp_path / "scripts-and-nesting.html"
    path.write_bytes(nested_html(10))
    assert path.stat().st_size > 10 * 1024 * 1024

    text = read_path(path, IngestSettings()).text

    assert "Local authorities must provide a range of short breaks" in text
    for hostile in ("alert(", "document.cookie", "owned", "<div", "onclick"):
        assert hostile not in text
