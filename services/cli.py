"""The ``sunshine`` command: serve, demo, worker, beat, migrate, users, orgs, openapi."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from services.aid import commands as aid_commands
from services.config import get_settings
from services.demo.logins import DEMO_PASSWORD
from services.demo.setup import ensure_demo_users, load_reference_data
from services.matches import commands as matches_commands
from services.refdata import commands as refdata_commands
from services.registry import commands as registry_commands
from services.reports import commands as reports_commands
from services.tracking import commands as tracking_commands

app = typer.Typer(help="阳光就业服务命令行", no_args_is_help=True, add_completion=False)
users_app = typer.Typer(help="账号管理", no_args_is_help=True)
orgs_app = typer.Typer(help="工会组织树", no_args_is_help=True)
app.add_typer(users_app, name="users")
app.add_typer(orgs_app, name="orgs")
app.add_typer(refdata_commands.app, name="refdata")
app.add_typer(registry_commands.app, name="registry")
app.add_typer(matches_commands.app, name="matches")
app.add_typer(reports_commands.app, name="reports")
app.add_typer(tracking_commands.app, name="tracking")
keys_app = typer.Typer(help="加密密钥", no_args_is_help=True)
app.add_typer(keys_app, name="keys")
app.add_typer(aid_commands.app, name="aid")
console = Console()


@refdata_commands.app.command("load")
def refdata_load(
    data_dir: Annotated[
        Path | None, typer.Option(help="数据文件目录，默认使用随程序发布的 services/refdata/data")
    ] = None,
) -> None:
    """Load (upsert) the majors, occupations, industries and divisions; running it again changes nothing."""
    from services.errors import DomainError

    try:
        load_reference_data(data_dir)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def migrate() -> None:
    """Upgrade the configured database (SQLite or PostgreSQL) to the newest schema."""
    from services import migrate as mig

    mig.upgrade()
    from services.db import analyze

    analyze()
    console.print(f"[green]数据库已升级[/green]: {_safe_url()}")


def _safe_url() -> str:
    url = get_settings().sqlalchemy_url
    if "@" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url


@orgs_app.command("load")
def orgs_load(
    file: Annotated[Path | None, typer.Option(help="CSV: code,name,kind,parent_code,division_code")] = None,
) -> None:
    """Load (upsert) the union org tree; without --file, the bundled 亳州市 tree."""
    from services.db import session_scope
    from services.orgs import service

    with session_scope() as session:
        count = service.load_tree(session, rows=service.read_tree(file))
    console.print(f"已载入 {count} 个工会单位")


@users_app.command("create")
def users_create(
    username: Annotated[str, typer.Option()],
    role: Annotated[str, typer.Option(help="graduate|counselor|enterprise|union_county|union_city|admin")],
    org: Annotated[str | None, typer.Option(help="org unit code, e.g. BZ-MC")] = None,
    display_name: Annotated[str | None, typer.Option()] = None,
    password: Annotated[str | None, typer.Option(help="read from SUNSHINE_NEW_PASSWORD or prompted if omitted")] = None,
) -> None:
    """Create an account."""
    from services.db import session_scope
    from services.errors import DomainError
    from services.orgs import service as orgs
    from services.security import service

    secret = (
        password
        or os.environ.get("SUNSHINE_NEW_PASSWORD")
        or typer.prompt("密码", hide_input=True, confirmation_prompt=True)
    )
    try:
        with session_scope() as session:
            org_id = orgs.get_by_code(session, code=org).id if org else None
            user = service.create_user(
                session,
                username=username,
                password=secret,
                role=role,
                display_name=display_name or username,
                org_unit_id=org_id,
            )
            console.print(f"已创建账号 {user.username}（{user.role}），编号 {user.id}")
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc


@app.command()
def serve(host: str = "127.0.0.1", port: int = 8000, workers: int = 1) -> None:
    """Serve the API with uvicorn (each worker builds its match index before it takes requests)."""
    import uvicorn

    os.environ.setdefault("SUNSHINE_WARM_START", "1")

    # X-Forwarded-For is read by the application, and only from SUNSHINE_TRUSTED_PROXIES (never by uvicorn)
    uvicorn.run(
        "services.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_config=None,
        proxy_headers=False,
    )


@app.command()
def worker(
    concurrency: int = 2,
    beat: Annotated[bool, typer.Option(help="also run beat in-process")] = False,
    queues: str = "celery",
) -> None:
    """Start a Celery worker on the configured Redis broker."""
    if get_settings().celery_eager:
        console.print("[red]未配置 SUNSHINE_REDIS_URL：内嵌模式下任务在 API 进程内执行，无需单独启动 worker[/red]")
        raise typer.Exit(2)
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "jobs.app",
        "worker",
        "-l",
        "INFO",
        f"--concurrency={concurrency}",
        "-Q",
        queues,
    ]
    if beat:
        cmd.append("-B")
    raise typer.Exit(subprocess.call(cmd))  # noqa: S603 - fixed argv


@app.command("beat")
def beat_cmd() -> None:
    """Start Celery beat (periodic reminders, deadline warnings, snapshots)."""
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "jobs.app",
        "beat",
        "-l",
        "INFO",
        "-s",
        str(get_settings().data_dir / "celerybeat-schedule"),
    ]
    raise typer.Exit(subprocess.call(cmd))  # noqa: S603 - fixed argv


@app.command()
def openapi(out: Annotated[Path | None, typer.Option()] = None) -> None:
    """Print (or write) the OpenAPI document."""
    from services.app import create_app, openapi_json

    text = openapi_json(create_app())
    if out:
        out.write_text(text, "utf-8")
    else:
        typer.echo(text)


@keys_app.command("rotate")
def keys_rotate(
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="每批重新加密的行数（每批单独提交）")] = 500,
) -> None:
    """Re-encrypt every protected column and sealed file under the first key of SUNSHINE_PII_KEYS (SECURITY.md)."""
    import services.models  # noqa: F401 - every domain's tables on the metadata
    from services.security import keys

    done = keys.rotate_all(batch_size=batch_size)
    files = done.pop("sealed_files", 0)
    for name, count in done.items():
        console.print(f"{name}: {count}")
    console.print(f"[green]已用最新密钥重新加密 {sum(done.values())} 个字段值和 {files} 个加密文件[/green]")


@app.command()
def demo(
    port: int = 8000,
    host: str = "127.0.0.1",
    serve_api: Annotated[bool, typer.Option("--serve/--no-serve", help="serve after setting up")] = True,
    size: Annotated[float, typer.Option(help="world size: 1.0 ≈ 2,000 families, 300 employers, 1,500 positions")] = 1.0,
    seed: Annotated[int, typer.Option(help="the same seed gives the same world")] = 2023,
) -> None:
    """Set up the embedded demo (SQLite, eager Celery): migrate, load the org tree and the reference catalogs,
    build the demo world (once: a database that already has one is served as it is), create one login per role,
    then serve."""

    from services.db import analyze, get_engine, session_scope
    from services.demo import guard, world
    from services.errors import DomainError

    settings = get_settings()
    refused = guard.refusal(settings, get_engine)  # before anything is created
    if refused:
        console.print(f"[red]{refused}[/red]")
        raise typer.Exit(3)
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    migrate()
    orgs_load(None)
    load_reference_data()
    started = time.perf_counter()
    try:
        with session_scope() as session:
            if world.has_world(session):
                console.print("数据库中已有演示数据，直接使用（不会重复生成）")
                summary = None
            else:
                summary = world.build_world(session, size=size, seed=seed)
                guard.mark(session)
    except DomainError as exc:
        console.print(f"[red]{exc.detail}[/red]")
        raise typer.Exit(2) from exc
    if summary is not None:
        analyze()  # the planner's statistics of the bulk load, before the first request
        built = Table(title=f"演示数据已生成（{time.perf_counter() - started:.1f} 秒，演示日期 {summary.today}）")
        built.add_column("内容")
        built.add_column("数量", justify="right")
        for label, value in (
            ("困难职工家庭档案", summary.families),
            ("家庭成员", summary.members),
            (f"毕业生（{'、'.join(map(str, summary.cohorts))}届）", summary.graduates),
            ("在校生", summary.students),
            ("用人单位", summary.employers),
            ("岗位", summary.positions),
            ("招聘会", summary.job_fairs),
            ("求职记录", summary.applications),
            ("服务记录", summary.services),
            ("联系回访", summary.contacts),
            ("助学申请", summary.aid_applications),
        ):
            built.add_row(label, str(value))
        console.print(built)
    logins = ensure_demo_users()
    table = Table(title="演示账号（密码均为 " + DEMO_PASSWORD + "）")
    table.add_column("用户名")
    table.add_column("角色")
    table.add_column("关联")
    for username, role, linked in logins:
        table.add_row(username, role, linked)
    console.print(table)
    console.print(f"控制台: http://{host}:{port}/  （用上面的账号登录）")
    console.print(f"API 文档: http://{host}:{port}/docs  （点击 Authorize 用上面的账号登录）")
    if serve_api:
        serve(host=host, port=port)


@app.command()
def bench(
    parts: Annotated[
        str,
        typer.Option(
            help="comma-separated: matching,matching1m,import,reports,pages,api,instructions "
            "(matching1m: top-20 of 1M positions; api: the service under load; instructions: what each API "
            "route costs, counted by valgrind)"
        ),
    ] = "matching,import,reports,pages",
    quick: Annotated[bool, typer.Option(help="small sizes, seconds instead of minutes")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON object")] = False,
    pg_url: Annotated[str | None, typer.Option(help="PostgreSQL for pg_trgm and report timings")] = None,
) -> None:
    """Benchmarks beside their baselines: matching (10k/100k), spreadsheet import (50k rows), 附件9 (100k); pages:
    every console page beside its API call on a small demo world; api: the service on PostgreSQL with 2 workers on
    the demo world, driven open-loop (p50/p95/p99, errors, recovery)."""
    from benchmarks import run as bench_mod

    names = [p.strip() for p in parts.split(",") if p.strip()]
    unknown = set(names) - set(bench_mod.PARTS)
    if unknown:
        console.print(f"[red]未知的基准测试：{', '.join(sorted(unknown))}[/red]")
        raise typer.Exit(2)
    result = bench_mod.run(names, quick=quick, pg_url=pg_url or bench_mod.default_pg_url())
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False, default=str))
        return
    for name, figures in result.items():
        console.rule(name)
        console.print_json(json.dumps(figures, ensure_ascii=False, default=str))
        if name == "api":
            from benchmarks.bench_api import table

            typer.echo(table(figures))


@app.command("settings")
def show_settings() -> None:
    """Print the effective settings (secrets hidden)."""
    data = get_settings().model_dump(mode="json")
    for key in ("secret_key", "pii_keys", "blind_index_key"):
        data[key] = "***"
    data["database_url"] = _safe_url()
    typer.echo(json.dumps(data, ensure_ascii=False, indent=1))


def main() -> None:
    app()


if __name__ == "__main__":
    main()
