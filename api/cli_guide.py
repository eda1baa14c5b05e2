"""``careguide guide``: build cited handouts and training packs from guide specs."""

from __future__ import annotations

import typer
from rich.console import Console

err = Console(stderr=True)


def register(app: typer.Typer) -> None:
    """Add the guide commands to the main CLI."""

    @app.command()
    def guide() -> None:
        """Build cited handouts and training packs from guide specs."""
        err.print("[red]error:[/red] `careguide guide` is not available in this version yet.")
        raise typer.Exit(2)
