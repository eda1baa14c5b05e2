"""`careguide bench` plumbing: every figure is there, on a small made-up corpus."""

from __future__ import annotations

from pathlib import Path

from careguide.api.settings import Settings
from careguide.eval.bench import run_bench
from careguide.index.embedder import HashingEmbedder


def test_bench_reports_every_figure(made_up_corpus: Path, tmp_path: Path) -> None:
    report = run_bench(
        made_up_corpus,
        ["who are the safeguarding partners"],
        Settings(data_dir=tmp_path / "unused"),
        calls=5,
        embedder=HashingEmbedder(dim=64),
        data_dir=tmp_path / "bench-data",
    )
    assert report.files == 3 and report.passages == 7
    assert report.search_ms.calls == report.ask_ms.calls == 5
    assert report.search_ms.p95 >= report.search_ms.p50 >= 0
    assert report.ingest_seconds >= report.index_seconds
    assert report.peak_rss_mb > 0
    assert not (tmp_path / "unused").exists()  # never the configured data directory
