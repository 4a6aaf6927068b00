"""``sunshine tracking``: run the follow-up reminders now, expire stale applications, print the 1131 shortfall."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(help="全流程跟踪（回访提醒、流程过期、1131 服务差距）", no_args_is_help=True)
console = Console()


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise typer.BadParameter("日期格式应为 YYYY-MM-DD") from exc


@app.command("reminders")
def reminders(today: Annotated[str | None, typer.Option(help="按该日计算到期（YYYY-MM-DD），默认今天")] = None) -> None:
    """Create the follow-up reminders due now (each graduate and due date once) and send their e-mails."""
    from services.db import session_scope
    from services.tracking import mailer, service

    with session_scope() as session:
        created = service.create_follow_up_reminders(session, today=_day(today))
    sent = 0
    with session_scope() as session:
        mails = service.claim_reminder_emails(session)
    for mail in mails:
        ok = mailer.send(to=mail.to, subject=mail.subject, body=mail.body)
        with session_scope() as session:
            service.finish_reminder_email(session, reminder_id=mail.reminder_id, sent=ok)
        sent += int(ok)
    console.print(f"新建回访提醒 {len(created)} 条，发送邮件 {sent} 封")


@app.command("expire")
def expire(today: Annotated[str | None, typer.Option(help="YYYY-MM-DD，默认今天")] = None) -> None:
    """Close applications of positions past their deadline; re-derive statuses of ended internships."""
    from services.db import session_scope
    from services.tracking import service

    day = _day(today) or service.local_today()
    with session_scope() as session:
        expired = service.expire_past_deadline(session, today=day)
        changed = service.refresh_statuses(session, today=day)
    console.print(f"关闭过期求职记录 {expired} 条，更新就业状态 {changed} 人")


@app.command("gaps")
def gaps(
    county: Annotated[str | None, typer.Option(help="县区工会代码，如 BZ-MC；默认全市")] = None,
    as_of: Annotated[str | None, typer.Option(help="统计截止日期 YYYY-MM-DD，默认今天")] = None,
) -> None:
    """Print the service-standard shortfall by county and responsible counselor."""
    from services.db import session_scope
    from services.orgs import service as orgs
    from services.tracking import service

    with session_scope() as session:
        scope = service.GraduateScope(org_unit_ids=None)
        if county:
            unit = orgs.get_by_code(session, code=county)
            scope = service.GraduateScope(org_unit_ids=orgs.subtree_ids(session, org_unit_id=unit.id))
        standard = service.active_standard(session)
        found = service.service_gaps(session, scope=scope, as_of=_day(as_of))
        groups = service.group_gaps(found)
    table = Table(title=f"{standard.name}：未达标 {len(found)} 人")
    table.add_column("县区")
    table.add_column("责任指导员")
    table.add_column("人数", justify="right")
    for req in standard.requirements:
        table.add_column(f"缺{req.label}", justify="right")
    for g in groups:
        cells = [str(g.missing.get(req.key, 0)) for req in standard.requirements]
        table.add_row(g.county_name, g.counselor_name or "未分配", str(g.graduates), *cells)
    console.print(table)
