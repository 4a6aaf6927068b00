"""``sunshine reports``: build a report file, write COLUMNS.md."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

app = typer.Typer(help="统计报表（附件7、8、9）", no_args_is_help=True)
console = Console()
COLUMNS_DOC = Path(__file__).with_name("COLUMNS.md")


@app.command("build")
def build_cmd(
    report: Annotated[str, typer.Argument(help="annex7 | annex8 | annex9")],
    out: Annotated[Path, typer.Option(help="output file; the suffix picks the format (.xlsx, .csv, .json)")],
    as_of: Annotated[str | None, typer.Option(help="统计日期 YYYY-MM-DD，默认今天")] = None,
    year: Annotated[int | None, typer.Option(help="统计年度")] = None,
    county: Annotated[str | None, typer.Option(help="county org code, e.g. BZ-MC; default the whole city")] = None,
    chart: Annotated[bool, typer.Option(help="xlsx: add the employment-rate chart")] = False,
) -> None:
    """Build a report for the whole city (or one county) and write it to a file."""
    from services.db import session_scope
    from services.errors import DomainError
    from services.orgs import service as orgs
    from services.reports import service, tables

    file_format = out.suffix.lstrip(".").lower()
    try:
        with session_scope() as session:
            county_id = orgs.get_by_code(session, code=county).id if county else None
            built = tables.build_report(
                session,
                report=report,
                scope=None,
                unit_name=service.city_name(session),
                as_of=date.fromisoformat(as_of) if as_of else service.today(),
                year=year,
                county_id=county_id,
            )
            content = service.render_bytes(built, file_format, chart=chart)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    out.write_bytes(content)
    console.print(f"已写入 {out}（{len(content)} 字节）")


@app.command("columns-doc")
def columns_doc(
    check: Annotated[bool, typer.Option(help="only check that COLUMNS.md is up to date")] = False,
) -> None:
    """Write services/reports/COLUMNS.md from the column definitions."""
    from services.reports import columns, measures

    text = columns.render_markdown(measures.bundled_programs()) + "\n"
    if check:
        if COLUMNS_DOC.read_text("utf-8") != text:
            console.print("[red]COLUMNS.md 已过期，请运行 sunshine reports columns-doc[/red]")
            raise typer.Exit(1)
        return
    COLUMNS_DOC.write_text(text, "utf-8")
    console.print(f"已写入 {COLUMNS_DOC}")
