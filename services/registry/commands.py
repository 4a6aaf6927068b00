"""``sunshine registry``: load the form enumerations, import a sheet from the command line, write the template,
list archives due for their yearly update."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="实名制档案（枚举、导入、模板、基准）", no_args_is_help=True)
console = Console()


@app.command("enums")
def load_enums(
    file: Annotated[Path | None, typer.Option(help="CSV: code,name[,flags][,parent_code]")] = None,
    key: Annotated[str | None, typer.Option(help="enumeration key for --file, e.g. hardship_cause")] = None,
    title: Annotated[str | None, typer.Option(help="Chinese title for a new enumeration")] = None,
) -> None:
    """Upsert the bundled enumerations of the forms, or one enumeration from a city's own CSV file."""
    from services.db import session_scope
    from services.refdata import api as refdata

    if file is not None and not key:
        console.print("[red]--file 需要同时指定 --key[/red]")
        raise typer.Exit(2)
    specs = [refdata.read_enum_file(file, key=key or "", title=title)] if file is not None else refdata.bundled_enums()
    with session_scope() as session:
        changed = refdata.load_enums(session, specs=specs)
    console.print(f"已载入 {len(specs)} 个枚举，新增或修改 {changed} 个选项")


@app.command("template")
def write_template(
    out: Annotated[Path, typer.Option(help="where to write the xlsx")] = Path("registry-template.xlsx"),
) -> None:
    """Write the import workbook (档案 / 家庭成员 / 学生毕业生, the forms' column names)."""
    from services.db import session_scope
    from services.refdata import api as refdata
    from services.registry import sheets

    with session_scope() as session:
        out.write_bytes(sheets.template(refdata.vocabularies(session)))
    console.print(f"模板已写入 {out}")


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(help="xlsx or csv")],
    username: Annotated[str, typer.Option("--user", help="the union staff account the import runs as")],
    org: Annotated[str | None, typer.Option(help="org unit code, e.g. BZ-MC; default the account's")] = None,
    real: Annotated[bool, typer.Option("--real/--dry-run", help="write (default: dry run)")] = False,
    good_rows_only: Annotated[bool, typer.Option(help="import the good rows, skip the bad ones")] = False,
) -> None:
    """Import a sheet through the same path as the API, in this process, and print the report."""
    from sqlalchemy import select

    from services.db import session_scope
    from services.errors import DomainError
    from services.orgs import service as orgs
    from services.registry import importer
    from services.security.models import User

    try:
        with session_scope() as session:
            user = session.scalar(select(User).where(User.username == username))
            if user is None:
                raise typer.BadParameter(f"账号 {username} 不存在")
            principal = importer.principal_of(session, user_id=user.id, org_unit_id=user.org_unit_id or 0)
            org_id = orgs.get_by_code(session, code=org).id if org else user.org_unit_id
            job = importer.create_job(
                session,
                principal=principal,
                filename=file.name,
                content=file.read_bytes(),
                org_unit_id=org_id,
                dry_run=not real,
                good_rows_only=good_rows_only,
            )
            session.info.pop("pending_tasks", None)
            importer.start(session, job_id=job.id)
            job = importer.run(session, job_id=job.id)
            summary = {
                "job": job.id,
                "status": job.status,
                "rows": job.rows_total,
                "created": job.created,
                "updated": job.updated,
                "unchanged": job.unchanged,
                "skipped": job.skipped,
                "errors": job.error_count,
            }
            errors = list(job.errors)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    console.print(json.dumps(summary, ensure_ascii=False))
    if errors:
        table = Table(title="错误（前 50 条）")
        for column in ("工作表", "行", "列", "代码", "原因", "值"):
            table.add_column(column)
        for e in errors[:50]:
            table.add_row(e["sheet"], str(e["row"]), e["column"], e["code"], e["reason"], e["value"])
        console.print(table)
