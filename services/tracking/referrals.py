"""定向就业援助 through purchased services: a counselor refers an unemployed graduate to a provider under a
contract; union staff record the provider's answer and the outcome (referred → accepted → placed / not placed).

Whether a graduate may be referred to a contract is decided by :func:`referral_problem`, which every path calls;
the moves a referral may make are :data:`MOVES`. The contracts themselves are the catalog's
(:mod:`services.catalog.purchased`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from services.catalog import api as purchased
from services.catalog.api import ServiceContract
from services.clock import local_today as local_today
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.registry.api import Graduate
from services.security.principal import Principal
from services.security.roles import STAFF, UNION_SIDE
from services.security.scope import scoped
from services.tracking.access import servable_graduate
from services.tracking.models import ReferralState, ServiceReferral
from services.tracking.pipeline import STATUS_NAMES, Status
from services.tracking.status import current_status, set_override

REFERRAL_NAMES = {
    ReferralState.REFERRED.value: "已转介",
    ReferralState.ACCEPTED.value: "机构已接收",
    ReferralState.PLACED.value: "已就业",
    ReferralState.NOT_PLACED.value: "服务期满未就业",
}
MOVES: dict[str, frozenset[str]] = {
    ReferralState.REFERRED.value: frozenset({ReferralState.ACCEPTED.value}),
    ReferralState.ACCEPTED.value: frozenset({ReferralState.PLACED.value, ReferralState.NOT_PLACED.value}),
    ReferralState.PLACED.value: frozenset(),
    ReferralState.NOT_PLACED.value: frozenset(),
}
# 定向就业援助 is for graduates not yet in work: the statuses 附件9 counts as 仍在求职
UNEMPLOYED = frozenset({Status.UNEMPLOYED.value, Status.SEEKING.value, Status.INTERNSHIP.value})


def referral_problem(
    session: Session, *, contract: ServiceContract, graduate: Graduate, today: date
) -> tuple[str, str] | None:
    """Why ``graduate`` cannot be referred to ``contract`` today, as (field, reason), or None when it may."""
    if not purchased.contract_covers(session, contract=contract, org_unit_id=graduate.org_unit_id):
        return "contract_id", "该合同由其他县区购买，不服务本县区的毕业生"
    if today < contract.starts_on:
        return "contract_id", f"该合同服务期自{contract.starts_on:%Y年%m月%d日}开始，尚未开始"
    if today > contract.ends_on:
        return "contract_id", f"该合同服务期已于{contract.ends_on:%Y年%m月%d日}结束"
    status = current_status(session, graduate_id=graduate.id)
    if status not in UNEMPLOYED:
        name = STATUS_NAMES.get(status, status)
        return "graduate_id", f"定向就业援助只面向未就业的毕业生，该毕业生当前状态为“{name}”"
    taken = session.scalar(
        select(func.count()).select_from(ServiceReferral).where(ServiceReferral.contract_id == contract.id)
    )
    if int(taken or 0) >= contract.graduates_to_serve:
        return "contract_id", f"该合同约定服务{contract.graduates_to_serve}人，名额已满"
    return None


def refer(
    session: Session, *, principal: Principal, graduate_id: int, contract_id: int, note: str | None = None
) -> ServiceReferral:
    """The counselor (or union staff) refers a graduate it serves to a contract of its units or of the city."""
    graduate = servable_graduate(session, principal=principal, graduate_id=graduate_id)
    contract = purchased.get_contract(session, principal=principal, contract_id=contract_id)
    existing = session.scalar(
        select(ServiceReferral.id).where(
            ServiceReferral.contract_id == contract.id, ServiceReferral.graduate_id == graduate.id
        )
    )
    if existing is not None:
        raise Conflict("该毕业生已转介至这份合同", field="graduate_id")
    today = local_today()
    problem = referral_problem(session, contract=contract, graduate=graduate, today=today)
    if problem is not None:
        field, reason = problem
        raise Conflict(reason, field=field)
    row = ServiceReferral(
        contract_id=contract.id,
        graduate_id=graduate.id,
        org_unit_id=graduate.org_unit_id,
        state=ReferralState.REFERRED.value,
        note=(note or "").strip() or None,
        referred_by_id=principal.user_id,
        referred_on=today,
        updated_by_id=principal.user_id,
    )
    session.add(row)
    session.flush()
    return row


def get_referral(session: Session, *, principal: Principal, referral_id: int) -> ServiceReferral:
    row = session.scalar(
        scoped(
            select(ServiceReferral).where(ServiceReferral.id == referral_id),
            principal,
            org=ServiceReferral.org_unit_id,
            graduate=ServiceReferral.graduate_id,
            session=session,
            roles=UNION_SIDE,
        )
    )
    if row is None:
        raise NotFound(f"编号为 {referral_id} 的转介不存在或不在您的管辖范围内")
    return row


def list_referrals(
    session: Session,
    *,
    principal: Principal,
    contract_id: int | None = None,
    graduate_id: int | None = None,
    state: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[list[ServiceReferral], int]:
    cond: list[ColumnElement[bool]] = []
    if contract_id is not None:
        cond.append(ServiceReferral.contract_id == contract_id)
    if graduate_id is not None:
        cond.append(ServiceReferral.graduate_id == graduate_id)
    if state:
        cond.append(ServiceReferral.state == state)
    roles = UNION_SIDE
    total = session.scalar(
        scoped(
            select(func.count()).select_from(ServiceReferral).where(*cond),
            principal,
            org=ServiceReferral.org_unit_id,
            graduate=ServiceReferral.graduate_id,
            session=session,
            roles=roles,
        )
    )
    rows = session.scalars(
        scoped(
            select(ServiceReferral).where(*cond).order_by(ServiceReferral.id.desc()),
            principal,
            org=ServiceReferral.org_unit_id,
            graduate=ServiceReferral.graduate_id,
            session=session,
            roles=roles,
        )
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total or 0)


@dataclass(frozen=True, slots=True)
class ReferralMove:
    to: str
    on: date
    employer_name: str | None = None
    note: str | None = None


def move_problem(row: ServiceReferral, move: ReferralMove, *, today: date) -> tuple[str, str] | None:
    """Why ``move`` cannot be applied to ``row``, as (field, reason), or None (pure: the state machine's rules)."""
    if move.to not in REFERRAL_NAMES:
        return "to", "请选择转介结果：机构已接收、已就业或服务期满未就业"
    if move.to not in MOVES[row.state]:
        here, there = REFERRAL_NAMES[row.state], REFERRAL_NAMES[move.to]
        return "to", f"转介当前为“{here}”，不能改为“{there}”"
    if move.on > today:
        return "on", "日期不能晚于今天"
    since = row.accepted_on if row.accepted_on is not None else row.referred_on
    if move.on < since:
        return "on", f"日期不能早于{since:%Y年%m月%d日}（上一步的日期）"
    if move.to == ReferralState.PLACED and not (move.employer_name or "").strip():
        return "employer_name", "已就业的，请填写就业单位"
    if move.to == ReferralState.NOT_PLACED and not (move.note or "").strip():
        return "note", "请说明未就业的情况"
    return None


def apply_move(row: ServiceReferral, move: ReferralMove) -> None:
    """Write an allowed move onto the row (the caller checked :func:`move_problem`)."""
    row.state = move.to
    if move.to == ReferralState.ACCEPTED:
        row.accepted_on = move.on
    else:
        row.outcome_on = move.on
        row.employer_name = (move.employer_name or "").strip() or None if move.to == ReferralState.PLACED else None
        row.outcome_note = (move.note or "").strip() or None


def move_referral(session: Session, *, principal: Principal, referral_id: int, move: ReferralMove) -> ServiceReferral:
    """Union staff record the provider's acceptance and the outcome (date, employer when placed); a placement sets
    the graduate's employment status to 已就业 with the referral as the recorded ground."""
    if principal.role not in STAFF:
        raise Forbidden("只有工会工作人员可以登记购买服务的接收和结果")
    row = get_referral(session, principal=principal, referral_id=referral_id)
    problem = move_problem(row, move, today=local_today())
    if problem is not None:
        field, reason = problem
        if field == "to" and move.to in REFERRAL_NAMES:
            raise Conflict(reason, field=field)
        raise ValidationFailed(reason, field=field)
    apply_move(row, move)
    row.updated_by_id = principal.user_id
    session.flush()
    if row.state == ReferralState.PLACED:
        # the provider placed the graduate: the employment status follows, with the referral as its ground
        set_override(
            session,
            principal=principal,
            graduate_id=row.graduate_id,
            status=Status.EMPLOYED.value,
            reason=f"购买服务定向就业援助：{row.outcome_on:%Y年%m月%d日}就业于{row.employer_name}",
        )
    return row


def contract_figures(session: Session, *, contract_ids: list[int]) -> dict[int, dict[str, int]]:
    """Per contract, the number of referrals in each state (for contracts the caller already holds)."""
    if not contract_ids:
        return {}
    stmt = (
        select(ServiceReferral.contract_id, ServiceReferral.state, func.count())
        .where(ServiceReferral.contract_id.in_(sorted(set(contract_ids))))
        .group_by(ServiceReferral.contract_id, ServiceReferral.state)
    )
    out: dict[int, dict[str, int]] = {cid: dict.fromkeys(REFERRAL_NAMES, 0) for cid in contract_ids}
    for cid, state, n in session.execute(stmt):
        out[int(cid)][str(state)] = int(n)
    return out
