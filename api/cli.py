"""The ``careguide`` command line: a thin shell over ingest, index, answering and guides.

Errors from the lower layers (``CareguideError``) become one red line and an exit code;
nothing below this module prints or exits.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from careguide.api.settings import Settings
from careguide.ingest.errors import CareguideError

app = typer.Typer(
    name="careguide",
    help=(
        "careguide: search and cited answers over children's social care guidance in England.\n\n"
        "Start with `careguide ingest PATH` to read documents, then `careguide search` or "
        "`careguide ask`."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


@app.command()
def ingest(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Files or folders to ingest; default: the configured corpus."),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Read and cut into passages, but store nothing.")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print passages as JSON lines (with --dry-run).")
    ] = False,
) -> None:
    """Read guidance documents (PDF, HTML, Word, Markdown, text) into citable passages."""
    from careguide.api.ingest_cmd import run_ingest

    settings = Settings()
    try:
        code = run_ingest(paths or [settings.corpus], settings, dry_run=dry_run, as_json=as_json)
    except CareguideError as e:
        _fail(str(e))
    raise typer.Exit(code)


@app.command()
def fetch(
    doc_ids: Annotated[
        list[str] | None,
        typer.Argument(help="Catalogue ids to download; default: all with an address."),
    ] = None,
    dest: Annotated[
        Path | None,
        typer.Option(help="Folder to save into; default: <data dir>/sources."),
    ] = None,
) -> None:
    """Download catalogued documents from their official addresses (checksums verified).

    Then ingest them with `careguide ingest <data dir>/sources`.
    """
    from careguide.ingest.catalogue import Catalogue
    from careguide.ingest.fetch import fetch_documents

    settings = Settings()
    try:
        catalogue = Catalogue.load(settings.ingest.catalogue_path)
        results = fetch_documents(catalogue, dest or settings.data_dir / "sources", doc_ids)
    except CareguideError as e:
        _fail(str(e))
    out = Console()
    for r in results:
        colour = {"failed": "red", "downloaded": "green"}.get(r.status, "")
        label = f"[{colour}]{r.status}[/{colour}]" if colour else r.status
        out.print(f"{r.id}: {label} {r.message}", highlight=False, soft_wrap=True)
    if results and all(r.status == "failed" for r in results):
        raise typer.Exit(1)


@app.command()
def search(
    question: Annotated[
        str | None, typer.Argument(help="What to look for, in your own words.")
    ] = None,
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many passages.")] = 10,
    kind: Annotated[
        list[str] | None,
        typer.Option(help="Only this document kind (repeatable), e.g. 'statutory guidance'."),
    ] = None,
    doc: Annotated[
        list[str] | None, typer.Option(help="Only this document id (repeatable).")
    ] = None,
    year_from: Annotated[
        int | None, typer.Option(help="Only documents published from this year.")
    ] = None,
    year_to: Annotated[
        int | None, typer.Option(help="Only documents published up to this year.")
    ] = None,
    audience: Annotated[
        list[str] | None, typer.Option(help="Only documents for this audience.")
    ] = None,
    batch: Annotated[
        Path | None, typer.Option(help='JSON lines of {"id", "question"}; one result line each.')
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Find the paragraphs that answer a question (hybrid search over the index)."""
    from careguide.api.engine import Engine
    from careguide.api.search_cmd import run_search
    from careguide.index.models import SearchFilters

    if (question is None) == (batch is None):
        _fail(
            'give a question, or --batch FILE (e.g. careguide search "what is kinship care")',
            code=2,
        )
    from careguide.ingest.models import DocKind

    known = [k.value for k in DocKind]
    for value in kind or []:
        if value not in known:
            _fail(f"unknown document kind {value!r}; choose from: {', '.join(known)}", code=2)
    filters = SearchFilters(
        kinds=[DocKind(v) for v in kind or []],
        doc_ids=doc or [],
        year_from=year_from,
        year_to=year_to,
        audience=audience or [],
    )
    try:
        with Engine(Settings()) as engine:
            code = run_search(
                engine,
                question,
                batch=batch,
                k=k,
                filters=filters,
                as_json=as_json or batch is not None,
            )
    except CareguideError as e:
        _fail(str(e))
    raise typer.Exit(code)


@app.command()
def ask(
    question: Annotated[
        str | None, typer.Argument(help="Your question, in your own words.")
    ] = None,
    mode: Annotated[
        str | None,
        typer.Option(
            help="Who the answer is for: practitioner (the default), carer, child or trainer. "
            "With --batch it sets every line's mode; without it, each line's own "
            '"mode" or "audience" does.'
        ),
    ] = None,
    batch: Annotated[
        Path | None,
        typer.Option(
            help='JSON lines of {"id", "question" or "text", optional "audience"/"mode"}.'
        ),
    ] = None,
    previous: Annotated[
        list[str] | None,
        typer.Option("--previous", help="An earlier question of this conversation (repeatable)."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON instead of text.")] = False,
) -> None:
    """Answer a question with numbered citations to the guidance (extractive, or an LLM if set)."""
    from careguide.api.answer_models import Mode, Turn
    from careguide.api.ask_cmd import run_ask
    from careguide.api.engine import Engine

    if (question is None) == (batch is None):
        _fail(
            'give a question, or --batch FILE (e.g. careguide ask "what is kinship care")', code=2
        )
    modes = [m.value for m in Mode]
    if mode is not None and mode not in modes:
        _fail(f"unknown mode {mode!r}; choose from: {', '.join(modes)}", code=2)
    settings = Settings()
    history = [Turn(role="user", content=q) for q in previous or []]
    generator = None
    if settings.llm.enabled:
        from careguide.api.llm import LLMGenerator

        generator = LLMGenerator(settings.llm)
    try:
        with Engine(settings) as engine:
            code = run_ask(
                engine,
                question,
                batch=batch,
                mode=Mode(mode) if mode else None,
                as_json=as_json or batch is not None,
                history=history,
                generator=generator,
            )
    except CareguideError as e:
        _fail(str(e))
    raise typer.Exit(code)


@app.command()
def serve(
    host: Annotated[
        str | None,
        typer.Option(help="Address to listen on (default 127.0.0.1; 0.0.0.0 = network)."),
    ] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Port (default 8000).")] = None,
) -> None:
    """Serve the chat page and the HTTP API (http://127.0.0.1:8000 by default)."""
    from pydantic import ValidationError

    from careguide.api.server import run_server

    try:
        settings = Settings()
    except ValidationError as e:
        _fail(str(e.errors()[0]["msg"]).removeprefix("Value error, "), code=2)
    try:
        run_server(settings, host, port)
    except CareguideError as e:
        _fail(str(e))


def _register_subcommands() -> None:
    """Commands that live in their own modules (evaluation, guides) join the app here."""
    from careguide.api.cli_eval import register as register_eval
    from careguide.api.cli_guide import register as register_guide

    register_eval(app)
    register_guide(app)


_register_subcommands()


def main() -> None:
    """Console-script entry point."""
    try:
        app()
    except CareguideError as e:  # a shell turns library errors into one line
        err.print(f"[red]error:[/red] {e}", highlight=False)
        sys.exit(1)
