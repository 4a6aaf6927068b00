"""``sunshine refdata``: load the reference catalogs shipped with the package."""

from __future__ import annotations

import typer
from rich.console import Console

app = typer.Typer(help="参考目录（专业、职业、行业、行政区划）", no_args_is_help=True)
console = Console()


@app.command("counts")
def counts_command() -> None:
    """Print how many rows each catalog holds."""
    from services.db import session_scope
    from services.refdata import service

    with session_scope() as session:
        for name, rows in service.counts(session).items():
            console.print(f"{name}\t{rows}")
