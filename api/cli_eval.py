"""``careguide eval`` and ``careguide bench``: quality and speed figures from the shell."""

from __future__ import annotations

import typer
from rich.console import Console

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add the evaluation commands to the main CLI."""

    @app.command(name="eval")
    def eval_() -> None:
        """Measure retrieval and answer quality on a gold set."""
        err.print("[red]error:[/red] `careguide eval` is not available in this version yet.")
        raise typer.Exit(2)
