"""``careguide eval`` and ``careguide bench``: quality and speed figures from the shell.

A thin shell over ``careguide.eval``: it reads settings and files, turns bad input into one
line and exit code 2, and prints. Everything heavy is imported inside the commands so that
``careguide --help`` stays fast.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

if TYPE_CHECKING:
    from careguide.api.settings import Settings
    from careguide.eval.metrics import GoldItem
    from careguide.eval.models import EvalReport
    from careguide.index.embedder import Embedder

err = Console(stderr=True)

BASELINE_NAMES = {
    "bm25": "BM25 (bm25s)",
    "dense": "dense alone",
    "llama-index": "llama-index default",
}


def _fail(message: str, code: int = 2) -> NoReturn:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def _settings() -> Settings:
    from careguide.api.settings import Settings

    return Settings()


def register(app: typer.Typer) -> None:
    """Add the evaluation commands to the main CLI."""

    @app.command(name="eval")
    def eval_(
        gold: Annotated[
            Path | None,
            typer.Option(help="Gold questions, JSON lines in the format of shared/eval/FORMAT.md."),
        ] = None,
        disclosures: Annotated[
            Path | None,
            typer.Option(help='Labelled messages {"id", "text", "label"}: disclosure recall.'),
        ] = None,
        mode: Annotated[
            list[str] | None,
            typer.Option(
                help="Answer mode to measure (repeatable): audience (each question in its "
                "own audience's), practitioner, carer, child, trainer. Default: all."
            ),
        ] = None,
        baseline: Annotated[
            list[str] | None,
            typer.Option(
                help="Baseline to run (repeatable): bm25, dense, llama-index. Default: all."
            ),
        ] = None,
        no_baselines: Annotated[
            bool, typer.Option("--no-baselines", help="Measure careguide alone.")
        ] = False,
        out: Annotated[
            Path | None,
            typer.Option(help="Folder for metrics.json, report.md and the PNG charts."),
        ] = None,
        check: Annotated[
            bool,
            typer.Option(
                "--check", help="Exit 1 when a figure is below its floor in eval/thresholds.yaml."
            ),
        ] = False,
        from_feedback: Annotated[
            bool,
            typer.Option(
                "--from-feedback",
                help="Turn flagged feedback into draft gold items (JSON lines) for review.",
            ),
        ] = False,
        answers: Annotated[
            Path | None,
            typer.Option(
                help="With --from-feedback: JSON lines of answers as /api/ask returns them, "
                "for feedback stored before questions were kept."
            ),
        ] = None,
        feedback_db: Annotated[
            Path | None,
            typer.Option(help="With --from-feedback: the feedback file (default: the service's)."),
        ] = None,
    ) -> None:
        """Measure retrieval and answer quality on a gold set, beside baselines."""
        if from_feedback:
            _drafts(answers, feedback_db, out)
            return
        if gold is None and disclosures is None:
            _fail(
                "give --gold FILE (questions) and/or --disclosures FILE (messages), or "
                "--from-feedback; e.g. careguide eval --gold ../shared/eval/dev.jsonl --out report"
            )
        _evaluate(gold, disclosures, mode, baseline, no_baselines, out, check)

    @app.command()
    def bench(
        corpus: Annotated[
            Path | None,
            typer.Argument(help="Folder to ingest (default: the configured corpus)."),
        ] = None,
        gold: Annotated[
            Path | None,
            typer.Option(help="Questions to time (a gold file); default: passage headings."),
        ] = None,
        calls: Annotated[int, typer.Option(min=1, help="Searches and asks to time.")] = 100,
    ) -> None:
        """Time ingest (beside embedding alone), search and ask latency, peak memory; JSON."""
        from careguide.eval.bench import run_bench
        from careguide.eval.metrics import load_gold
        from careguide.ingest.errors import CareguideError

        settings = _settings()
        corpus = corpus or settings.corpus
        if not corpus.is_dir():
            _fail(f"corpus folder {corpus} not found; give a folder of documents to ingest")
        try:
            questions = [i.question for i in load_gold(gold)] if gold else []
        except CareguideError as e:
            _fail(str(e))
        try:
            report = run_bench(corpus, questions, settings, calls=calls)
        except CareguideError as e:
            _fail(str(e), code=1)
        sys.stdout.write(report.model_dump_json(indent=2) + "\n")


def _evaluate(
    gold: Path | None,
    disclosures: Path | None,
    modes: list[str] | None,
    baselines: list[str] | None,
    no_baselines: bool,
    out: Path | None,
    check: bool,
) -> None:
    from careguide.api.safety import semantic_for
    from careguide.eval.disclosure_check import DisclosureReport, score_disclosures
    from careguide.eval.gate import below_floors, load_thresholds
    from careguide.eval.harness import MODES
    from careguide.eval.metrics import load_gold
    from careguide.eval.models import EvalReport
    from careguide.index.embedder import build_embedder
    from careguide.ingest.errors import CareguideError

    modes = modes or list(MODES)
    for m in modes:
        if m not in MODES:
            _fail(f"unknown mode {m!r}; choose from: {', '.join(MODES)}")
    chosen = [] if no_baselines else (baselines or list(BASELINE_NAMES))
    for b in chosen:
        if b not in BASELINE_NAMES:
            _fail(f"unknown baseline {b!r}; choose from: {', '.join(BASELINE_NAMES)}")

    items: list[GoldItem] = []
    disclosure_report: DisclosureReport | None = None
    embedder = build_embedder(_settings().index)  # loads on first use, once for both
    try:
        if gold is not None:
            items = load_gold(gold)
        if disclosures is not None:
            disclosure_report = score_disclosures(disclosures, semantic=semantic_for(embedder))
        floors = load_thresholds().floors if check else None
    except CareguideError as e:
        _fail(str(e))

    report = EvalReport(gold=str(gold) if gold else None)
    if items:
        try:
            report = _run(items, [BASELINE_NAMES[b] for b in chosen], modes, embedder)
        except CareguideError as e:
            _fail(str(e), code=1)
        report.gold = str(gold)
    report.disclosures = disclosure_report
    _show(report, out)
    if floors is not None:
        failures = below_floors(report, disclosure_report, floors)
        for line in failures:
            err.print(f"[red]below floor:[/red] {line}", highlight=False)
        if failures:
            raise typer.Exit(1)


def _run(
    items: list[GoldItem], baselines: list[str], modes: list[str], embedder: Embedder
) -> EvalReport:
    from careguide.api.engine import Engine
    from careguide.eval.harness import run_eval
    from careguide.eval.ragas_scores import JudgeSettings
    from careguide.ingest.storage import LibraryStore

    settings = _settings()
    library = LibraryStore(settings.data_dir)
    judge = JudgeSettings.from_environ(dict(os.environ))
    with Engine(settings, embedder=embedder) as engine, err.status("evaluating") as status:
        return run_eval(
            items,
            engine=engine,
            passages=library.passages(),
            documents=library.documents(),
            baselines=baselines,
            modes=modes,
            judge=judge,
            progress=lambda message: status.update(message),
        )


def _show(report: EvalReport, out: Path | None) -> None:
    from careguide.eval.report import answers_table, summary_table, write_outputs

    console = Console()
    if report.systems:
        console.print(summary_table(report))
    if report.answers:
        console.print(answers_table(report))
    if report.ragas is not None:
        r = report.ragas
        console.print(
            f"ragas: context precision {r.context_precision}, context recall {r.context_recall}, "
            f"answer string similarity {r.answer_string_similarity}, semantic similarity "
            f"{r.answer_semantic_similarity}"
            + (
                f", faithfulness {r.faithfulness}, response relevancy {r.response_relevancy}, "
                f"factual correctness {r.factual_correctness} (judge {r.judge})"
                if r.judge
                else " (no judge: set CAREGUIDE_EVAL_LLM_BASE_URL and CAREGUIDE_EVAL_LLM_MODEL)"
            ),
            highlight=False,
        )
        for line in r.errors:
            err.print(f"[yellow]ragas:[/yellow] {line}", highlight=False, soft_wrap=True)
    d = report.disclosures
    if d is not None:
        console.print(
            f"disclosures: recall {d.recall:.3f} ({len(d.misses)} missed of {d.disclosures}), "
            f"false-alarm rate {d.false_alarm_rate:.3f}",
            highlight=False,
        )
        for m in d.misses:
            console.print(f"  missed {m.id}: {m.text}", highlight=False)
    if out is not None:
        paths = write_outputs(report, out)
        console.print("wrote " + ", ".join(str(p) for p in paths), highlight=False)
    elif report.systems:
        console.print("add --out DIR for metrics.json, report.md and the charts", highlight=False)


def _drafts(answers: Path | None, feedback_db: Path | None, out: Path | None) -> None:
    import sqlite3

    from careguide.api.feedback import FeedbackStore
    from careguide.eval.feedback_drafts import drafts_from_feedback, drafts_jsonl, read_answers
    from careguide.ingest.errors import CareguideError
    from careguide.ingest.storage import LibraryStore

    settings = _settings()
    db = feedback_db or settings.server.feedback_db or settings.data_dir / "feedback.sqlite3"
    if not db.exists():
        _fail(f"no feedback at {db}; give --feedback-db FILE (the service's feedback.sqlite3)")
    try:
        known = read_answers(answers) if answers else {}
    except CareguideError as e:
        _fail(str(e))
    try:
        records = list(FeedbackStore(db).records())
    except sqlite3.DatabaseError as e:
        _fail(f"{db} is not a feedback file ({e}); give --feedback-db FILE")
    try:
        passages = {p.id: p for p in LibraryStore(settings.data_dir).passages()}
    except CareguideError as e:
        passages = {}
        if any(r.cited for r in records):
            err.print(
                f"[yellow]warning:[/yellow] {e}; drafts name the cited passages without quotes",
                highlight=False,
                soft_wrap=True,
            )
    drafts = drafts_from_feedback(records, passages=passages, answers=known)
    text = drafts_jsonl(drafts)
    if out is None:
        sys.stdout.write(text)
    else:
        out.mkdir(parents=True, exist_ok=True)
        (out / "drafts.jsonl").write_text(text, encoding="utf-8")
    err.print(
        f"{len(drafts)} draft gold items from {db}; review each, then remove "
        '"draft": true to use it',
        highlight=False,
    )
