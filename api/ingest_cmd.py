"""The `careguide ingest` shell: progress, per-file summary, JSON dry run, exit code."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from careguide.api.engine import Engine, passage_json
from careguide.api.settings import Settings
from careguide.ingest.models import Passage
from careguide.ingest.pipeline import FileReport, collect_files, ingest_paths
from careguide.ingest.storage import LibraryStore


def run_ingest(paths: list[Path], settings: Settings, *, dry_run: bool, as_json: bool) -> int:
    """Ingest paths; return the exit code (non-zero only when nothing could be read)."""
    err = Console(stderr=True)
    library = None if dry_run else LibraryStore(settings.data_dir)
    files, _ = collect_files(paths)
    progress = Progress(
        TextColumn("[bold]reading[/bold] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=err,
        transient=True,
        disable=as_json or not err.is_terminal,
    )
    reports: list[FileReport] = []
    with progress:
        task = progress.add_task("", total=len(files))

        def on_file(r: FileReport) -> None:
            reports.append(r)
            if r.status != "failed" or r.path in {str(f) for f in files}:
                progress.update(task, advance=1, description=r.source)

        result = ingest_paths(paths, settings.ingest, library=library, on_file=on_file)

    if as_json:
        for p in result.passages:
            sys.stdout.write(json.dumps(passage_json(p), ensure_ascii=False) + "\n")
    _summary(err, result.reports, result.seconds, len(result.passages))
    readable = [r for r in result.reports if r.status != "failed"]
    if not dry_run and readable:
        _index(err, settings, result.passages, quiet=as_json)
    return 0 if readable else 1


def _index(console: Console, settings: Settings, passages: list[Passage], *, quiet: bool) -> None:
    """Embed and index the passages; searches keep the previous index until the switch.

    Then the candidate sentences of answers are embedded ahead of time (only new ones), so
    that `ask` embeds just the question.
    """
    from careguide.index.sentences import build_sentence_vectors, sentence_vector_path

    bar = Progress(
        TextColumn("[bold]indexing[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    )
    with Engine(settings) as engine, bar:
        task = bar.add_task("", total=len(passages))
        stats = engine.index(
            passages, progress=lambda done, total: bar.update(task, completed=done)
        )
        vectors_path = sentence_vector_path(settings.data_dir, engine.embedder)
        if stats.skipped and vectors_path.exists():
            console.print(
                f"index unchanged: {stats.passages} passages already in {engine.store.where}",
                highlight=False,
            )
            return
        started = time.perf_counter()
        sentences = build_sentence_vectors(passages, engine.embedder, vectors_path, reuse=True)
    console.print(
        f"indexed {stats.passages} passages in {stats.seconds:.1f} s "
        f"({stats.embedded} embedded, {stats.reused} reused) into {engine.store.where}; "
        f"{sentences} answer sentences ready in {time.perf_counter() - started:.1f} s",
        highlight=False,
    )


def _summary(console: Console, reports: list[FileReport], seconds: float, total: int) -> None:
    table = Table(title=None, show_edge=False, pad_edge=False)
    for col in ("file", "status", "passages", "pages", "notes"):
        table.add_column(col)
    for r in reports:
        note = r.error or "; ".join(r.warnings)
        style = "red" if r.status == "failed" else ""
        table.add_row(r.source, r.status, str(r.passages), str(r.pages or ""), note, style=style)
    console.print(table)
    failed = sum(1 for r in reports if r.status == "failed")
    console.print(
        f"{len(reports) - failed} file(s) read, {failed} failed, {total} passages after "
        f"de-duplication, {seconds:.1f} s",
        highlight=False,
    )
