"""``sunshine refdata``: load the reference catalogs shipped with the package."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.refdata.service import LoadResult

app = typer.Typer(help="参考目录（专业、职业、行业、行政区划）", no_args_is_help=True)
console = Console()


def load(data_dir: Path | None = None) -> list[LoadResult]:
    """Load every reference catalog and the initial program rule sets in one transaction and print what changed
    (the demo calls this too)."""
    from services.catalog import service as catalog
    from services.db import session_scope
    from services.refdata import service

    started = time.perf_counter()
    with session_scope() as session:
        results = service.load_all(session, data_dir=data_dir)
        rules_added = catalog.seed_rule_sets(session)
        if rules_added or any(r.inserted or r.updated for r in results):
            catalog.bump_version(session)
        rules_total = catalog.count_rule_sets(session)
    elapsed = time.perf_counter() - started
    table = Table(title=f"参考目录已载入（{elapsed:.1f} 秒）")
    for column in ("目录", "条数", "新增", "更新", "未变"):
        table.add_column(column, justify="left" if column == "目录" else "right")
    for r in results:
        table.add_row(r.title, str(r.rows), str(r.inserted), str(r.updated), str(r.unchanged))
    table.add_row("基层服务项目资格规则", str(rules_total), str(rules_added), "0", str(rules_total - rules_added))
    console.print(table)
    return results


@app.command("load")
def load_command(
    data_dir: Annotated[
        Path | None, typer.Option(help="数据文件目录，默认使用随程序发布的 services/refdata/data")
    ] = None,
) -> None:
    """Load (upsert) the majors, occupations, industries and divisions; running it again changes nothing."""
    from services.errors import DomainError

    try:
        load(data_dir)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc


@app.command("counts")
def counts_command() -> None:
    """Print how many rows each catalog holds."""
    from services.db import session_scope
    from services.refdata import service

    with session_scope() as session:
        for name, rows in service.counts(session).items():
            console.print(f"{name}\t{rows}")
