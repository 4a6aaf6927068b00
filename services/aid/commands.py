"""``sunshine aid …``: load a year's campaign settings and standards, warn about deadlines, take down notices."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="金秋助学：年度设置、截止提醒、公示撤下", no_args_is_help=True)
console = Console()


@app.command("load-year")
def load_year(
    year: Annotated[int, typer.Argument(help="年度，如 2023")],
    file: Annotated[Path | None, typer.Option(help="JSON 配置文件；缺省用随包的通知配置")] = None,
) -> None:
    """Load (upsert) one year's deadlines, notice period and standards."""
    from services.aid import service
    from services.db import session_scope

    config = json.loads(file.read_text("utf-8")) if file else None
    with session_scope() as session:
        campaign = service.load_year(session, year=year, config=config)
        count = len(service.list_standards(session, year=year))
        console.print(f"{campaign.name}：已载入 {count} 条资助标准，公示期 {campaign.notice_working_days} 个工作日")


@app.command("warn-deadlines")
def warn_deadlines(day: Annotated[str | None, typer.Option(help="YYYY-MM-DD，缺省为今天")] = None) -> None:
    """Write today's deadline warnings for union staff (what the daily job does)."""
    from services.aid import service, workdays
    from services.db import session_scope

    today = date.fromisoformat(day) if day else workdays.today()
    with session_scope() as session:
        written = service.warn_deadlines(session, today=today)
    console.print(f"{today}：新写入 {written} 条截止提醒")


@app.command("take-down")
def take_down(day: Annotated[str | None, typer.Option(help="YYYY-MM-DD，缺省为今天")] = None) -> None:
    """Take down every notice whose period has ended."""
    from services.aid import service, workdays
    from services.db import session_scope

    today = date.fromisoformat(day) if day else workdays.today()
    with session_scope() as session:
        count = service.take_down_expired(session, today=today)
    console.print(f"{today}：撤下 {count} 个期满公示")
