"""``careguide guide``: build cited handouts and training packs from guide specs.

``guide build SPEC...`` answers each spec's sections with the engine and writes
``<id>.json`` (the record ``guide check`` reads) plus the chosen formats into ``--out``
(default ``<data dir>/guides``, where the HTTP API looks). ``guide check [DIR]`` exits 1
when a guide cites a passage that changed, disappeared or is no longer current.
``guide list`` shows the bundled specs and the built guides.

Bad input (a missing spec, invalid YAML, an unknown field or mode, an unknown format) is
one red line and exit 2.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console

from careguide.api.settings import Settings
from careguide.ingest.errors import CareguideError

if TYPE_CHECKING:
    from careguide.guides.build import BuiltGuide
    from careguide.guides.spec import GuideSpec

err = Console(stderr=True)
out = Console(highlight=False, soft_wrap=True)

FORMATS = ("html", "md", "pdf")
CHROMIUM = "/usr/bin/chromium"

guide_app = typer.Typer(
    name="guide",
    help="Build cited handouts and training packs from guide specs, and check them for changes.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 1) -> None:
    err.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    raise typer.Exit(code)


def guides_dir(settings: Settings) -> Path:
    """Where built guides are kept by default (and where the HTTP API finds them)."""
    from careguide.guides.build import guides_dir as folder

    return folder(settings.data_dir)


@guide_app.command()
def build(
    specs: Annotated[
        list[str],
        typer.Argument(help="Spec files (YAML), or names of bundled guides (see `guide list`)."),
    ],
    formats: Annotated[
        list[str] | None,
        typer.Option("--format", help="html, md or pdf (repeatable); default html."),
    ] = None,
    out_dir: Annotated[
        Path | None, typer.Option("--out", help="Folder to write into; default <data dir>/guides.")
    ] = None,
) -> None:
    """Answer each section of a guide spec and write the cited guide."""
    from careguide.guides.spec import GuideSpecError, find_spec, load_spec

    chosen = list(dict.fromkeys(formats or ["html"]))
    for fmt in chosen:
        if fmt not in FORMATS:
            _fail(f"unknown format {fmt!r}; choose from: {', '.join(FORMATS)}", code=2)
    loaded = []
    try:
        for name in specs:
            path = find_spec(name)
            loaded.append((load_spec(path), path.read_text(encoding="utf-8")))
    except GuideSpecError as e:
        _fail(str(e), code=2)
    settings = Settings()
    folder = out_dir or guides_dir(settings)
    try:
        _build_all(settings, loaded, chosen, folder)
    except CareguideError as e:
        _fail(str(e))


def _build_all(
    settings: Settings, loaded: list[tuple[GuideSpec, str]], formats: list[str], folder: Path
) -> None:
    from careguide.api.engine import Engine
    from careguide.guides.build import build_guide, save_built
    from careguide.guides.render import render_html, render_markdown, render_pdf
    from careguide.ingest.storage import LibraryStore

    passages = LibraryStore(settings.data_dir).passages()
    chromium = Path(os.environ.get("CAREGUIDE_CHROMIUM", CHROMIUM))
    with Engine(settings) as engine:
        for spec, text in loaded:
            with err.status(f"building {spec.id}") as status:

                def progress(what: str, name: str = spec.id) -> None:
                    status.update(f"building {name}: {what}")

                guide = build_guide(
                    spec, engine=engine, spec_text=text, passages=passages, progress=progress
                )
            written = [save_built(guide, folder)]
            html = render_html(guide)
            if "html" in formats:
                written.append(folder / f"{guide.id}.html")
                written[-1].write_text(html, encoding="utf-8")
            if "md" in formats:
                written.append(folder / f"{guide.id}.md")
                written[-1].write_text(render_markdown(guide), encoding="utf-8")
            if "pdf" in formats:
                written.append(render_pdf(html, folder / f"{guide.id}.pdf", chromium=chromium))
            _report(guide, written)


def _report(guide: BuiltGuide, written: list[Path]) -> None:
    answered = sum(1 for s in guide.sections if s.grounded)
    gaps = len(guide.sections) - answered
    exercises = f", {len(guide.exercises)} exercises" if guide.exercises else ""
    out.print(
        f"built {guide.id}: {answered} of {len(guide.sections)} sections answered"
        f"{f' ({gaps} not covered)' if gaps else ''}{exercises}, "
        f"{len(guide.references)} references"
    )
    for path in written:
        out.print(f"  {path}")
    for warning in guide.warnings:
        err.print(f"[yellow]warning:[/yellow] {warning}", highlight=False, soft_wrap=True)


@guide_app.command()
def check(
    folder: Annotated[
        Path | None,
        typer.Argument(help="Folder of built guides; default <data dir>/guides."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON lines.")] = False,
) -> None:
    """Report guides whose cited passages changed or disappeared, or whose sources are
    no longer current; exit 1 when any guide is stale."""
    from careguide.guides.build import check_guide, library_version, load_built
    from careguide.ingest.storage import LibraryStore

    settings = Settings()
    folder = folder or guides_dir(settings)
    if not folder.is_dir():
        _fail(f"no folder {folder}; build a guide first with `careguide guide build`", code=2)
    files = sorted(folder.glob("*.json"))
    if not files:
        out.print(f"no built guides in {folder}; build one with `careguide guide build`")
        return
    try:
        passages = LibraryStore(settings.data_dir).passages()
        current = library_version(passages, settings.index.model)
        results = [check_guide(load_built(f), passages, current) for f in files]
    except CareguideError as e:
        _fail(str(e))
    for result in results:
        if as_json:
            out.print(json.dumps({**result.model_dump(), "stale": result.stale}), markup=False)
            continue
        if not result.stale:
            same = "same library" if result.built_from == result.library else "library changed"
            out.print(f"[green]ok[/green] {result.id}: every reference holds ({same})")
            continue
        out.print(f"[red]stale[/red] {result.id}: {len(result.problems)} reference(s) to review")
        for p in result.problems:
            out.print(f"  [{p.n}] {p.citation}: {p.kind}: {p.detail}", markup=False)
    if any(r.stale for r in results):
        raise typer.Exit(1)


@guide_app.command("list")
def list_guides() -> None:
    """The bundled guide specs, and the guides built so far."""
    from careguide.guides.build import GuideStoreError, load_built
    from careguide.guides.spec import GuideSpecError, bundled_spec_paths, load_spec

    out.print("[bold]bundled specs[/bold] (build with `careguide guide build NAME`)")
    for path in bundled_spec_paths():
        try:
            spec = load_spec(path)
        except GuideSpecError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
            continue
        extra = f", {len(spec.exercises)} exercises" if spec.exercises else ""
        out.print(
            f"  {spec.id}: {spec.title} ({spec.audience.value}, "
            f"{len(spec.sections)} sections{extra})"
        )
    folder = guides_dir(Settings())
    built = sorted(folder.glob("*.json")) if folder.is_dir() else []
    out.print(f"[bold]built guides[/bold] in {folder}")
    if not built:
        out.print("  none yet")
    for path in built:
        try:
            guide = load_built(path)
        except GuideStoreError as e:
            err.print(f"[red]error:[/red] {e}", highlight=False, soft_wrap=True)
            continue
        out.print(f"  {guide.id}: {guide.title} (built {guide.built_at})")


def register(app: typer.Typer) -> None:
    """Add the guide commands to the main CLI."""
    app.add_typer(guide_app, name="guide")
