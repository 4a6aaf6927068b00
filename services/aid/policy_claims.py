"""Claims of employment policies: applied → granted → paid (or refused / withdrawn), within the fund's budget,
paid to the bank card through the one payment path of aid (:func:`services.aid.payments.request_payment`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Final

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from stdnum import luhn

from services.aid import payments
from services.aid.guards import CENT, for_update, money
from services.aid.policies import check_version, claimant_facts, fund_name, require_reader
from services.aid.policy_models import (
    AidFundBudget,
    AidPolicy,
    AidPolicyClaim,
    AidPolicyVersion,
    AmountBasis,
    ClaimStatus,
    EmployerKind,
)
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.orgs import service as orgs
from services.registry import api as registry
from services.security import audit, pii
from services.security.principal import Principal
from services.security.roles import STAFF, UNION_SIDE
from services.security.scope import scoped

#: The moves of a claim. PAYING and PAID are reached only through the payment path.
MOVES: Final[dict[ClaimStatus, frozenset[ClaimStatus]]] = {
    ClaimStatus.APPLIED: frozenset({ClaimStatus.GRANTED, ClaimStatus.REFUSED, ClaimStatus.WITHDRAWN}),
    ClaimStatus.GRANTED: frozenset({ClaimStatus.PAYING, ClaimStatus.WITHDRAWN}),
    ClaimStatus.PAYING: frozenset({ClaimStatus.PAID}),
    ClaimStatus.REFUSED: frozenset(),
    ClaimStatus.WITHDRAWN: frozenset(),
    ClaimStatus.PAID: frozenset(),
}
LIVE: Final = frozenset({ClaimStatus.APPLIED, ClaimStatus.GRANTED, ClaimStatus.PAYING, ClaimStatus.PAID})


def _move(claim: AidPolicyClaim, to: ClaimStatus) -> None:
    now = ClaimStatus(claim.status)
    if to not in MOVES[now]:
        names = {
            ClaimStatus.APPLIED: "待审核",
            ClaimStatus.GRANTED: "已核准",
            ClaimStatus.REFUSED: "不予核准",
            ClaimStatus.WITHDRAWN: "已撤回",
            ClaimStatus.PAYING: "付款中",
            ClaimStatus.PAID: "已到账",
        }
        raise Conflict(f"申领目前为“{names[now]}”，不能改为“{names[to]}”", field="status")
    claim.status = to


@dataclass(frozen=True, slots=True)
class ClaimInput:
    student_id: int
    policy_id: int
    year: int
    requested_amount: Decimal | None = None
    employer_name: str | None = None
    employer_kind: str | None = None
    employer_place: str | None = None
    proofs: tuple[str, ...] = ()
    payee_name: str | None = None
    payee_bank: str | None = None
    payee_card: str | None = None


def apply_claim(session: Session, *, principal: Principal, data: ClaimInput, today: date) -> AidPolicyClaim:
    """Record a claim under the version in force today. The rule engine decides with the claim's employer facts;
    a failed condition refuses it (409 naming each failed condition), a missing proof is named too."""
    require_reader(principal)
    policy = session.get(AidPolicy, data.policy_id)
    if policy is None:
        raise ValidationFailed(f"就业政策 {data.policy_id} 不存在", field="policy_id")
    version = session.scalar(
        select(AidPolicyVersion)
        .where(
            AidPolicyVersion.policy_id == policy.id,
            AidPolicyVersion.valid_from <= today,
            (AidPolicyVersion.valid_to.is_(None)) | (AidPolicyVersion.valid_to >= today),
        )
        .order_by(AidPolicyVersion.version.desc())
    )
    if version is None:
        raise Conflict(f"“{policy.name}”今天没有生效的版本", field="policy_id")
    if data.employer_kind is not None and data.employer_kind not in {k.value for k in EmployerKind}:
        raise ValidationFailed(f"就业单位类型“{data.employer_kind}”无效", field="employer_kind")
    if data.employer_place is not None and not (len(data.employer_place) == 6 and data.employer_place.isdigit()):
        raise ValidationFailed("就业地点应为6位行政区划代码", field="employer_place")
    facts, profile = claimant_facts(
        session, student_id=data.student_id, employer_kind=data.employer_kind, employer_place=data.employer_place
    )
    if not principal.covers(profile.org_unit_id):
        raise NotFound("学生/毕业生档案不存在或不在您的管辖范围内")
    live = session.scalar(
        scoped(
            select(func.count()).where(
                AidPolicyClaim.student_id == data.student_id,
                AidPolicyClaim.policy_id == policy.id,
                AidPolicyClaim.year == data.year,
                AidPolicyClaim.status.in_([s.value for s in LIVE]),
            ),
            principal,
            org=AidPolicyClaim.org_unit_id,
        )
    )
    if live:
        raise Conflict(f"{data.year}年已申领“{policy.name}”，不能重复申领", field="policy_id")
    checks = check_version(session, version=version, name=policy.name, facts=facts, today=today)
    failed = [c.text for c in checks if not c.passed]
    if failed:
        audit.record_denial(
            session,
            action="claim",
            target_type="aid_policy",
            target_id=policy.id,
            purpose="不符合政策条件",
            detail={"student_id": data.student_id, "failed": failed},
            principal=principal,
        )
        raise Conflict(f"不符合“{policy.name}”的条件：" + "；".join(failed), field="policy_id")
    handed = {p.strip() for p in data.proofs if p.strip()}
    missing = [p for p in version.proofs if p not in handed]
    if missing:
        raise ValidationFailed("缺少证明材料：" + "、".join(missing), field="proofs")
    if version.basis == AmountBasis.FIXED:
        requested = version.amount
    else:
        if data.requested_amount is None:
            raise ValidationFailed(f"请填写申领金额（最高 {version.amount} 元）", field="requested_amount")
        requested = data.requested_amount
        if requested <= 0 or requested != requested.quantize(CENT):
            raise ValidationFailed("申领金额须为正数，最多两位小数", field="requested_amount")
        if requested > version.amount:
            raise ValidationFailed(f"申领金额超过最高限额 {version.amount} 元", field="requested_amount")
    student = registry.aid_student(session, student_id=data.student_id)
    if data.payee_card:
        card = data.payee_card.replace(" ", "")
        if not (card.isdigit() and 12 <= len(card) <= 19 and luhn.is_valid(card)):
            raise ValidationFailed("银行卡号无效（位数或校验位不对）", field="payee_card")
        if not (data.payee_bank or "").strip():
            raise ValidationFailed("请填写开户银行", field="payee_bank")
        sealed = pii.seal(pii.PiiKind.BANK_CARD, card)
        card_enc, card_bidx, card_masked = sealed.ciphertext, sealed.blind_index, sealed.masked
        bank = (data.payee_bank or "").strip()
        payee = (data.payee_name or student.name).strip()
    elif student.family_card_enc and student.family_card_bidx and student.family_card_masked:
        card_enc, card_bidx, card_masked = student.family_card_enc, student.family_card_bidx, student.family_card_masked
        bank = student.family_bank or ""
        payee = (data.payee_name or student.family_head or student.name).strip()
    else:
        raise ValidationFailed("档案中没有银行卡，请填写收款银行卡号", field="payee_card")
    claim = AidPolicyClaim(
        policy_id=policy.id,
        version_id=version.id,
        student_id=data.student_id,
        org_unit_id=profile.org_unit_id,
        county_org_id=orgs.county_of(session, org_unit_id=profile.org_unit_id).id,
        year=data.year,
        fund=version.fund,
        status=ClaimStatus.APPLIED,
        requested_amount=money(requested),
        employer_name=(data.employer_name or "").strip() or None,
        employer_kind=data.employer_kind or facts.employer_kind,
        employer_place=data.employer_place,
        proofs=sorted(handed),
        checks=[{"code": c.code, "passed": c.passed, "text": c.text} for c in checks],
        payee_name=payee,
        payee_bank=bank,
        payee_card_enc=card_enc,
        payee_card_bidx=card_bidx,
        payee_card_masked=card_masked,
        applied_by=principal.user_id,
    )
    session.add(claim)
    session.flush()
    return claim


def get_claim(session: Session, *, principal: Principal, claim_id: int) -> AidPolicyClaim:
    """One claim of the principal's scope (counselors: their caseload's; county clerks: their county's)."""
    require_reader(principal)
    stmt = scoped(
        select(AidPolicyClaim).where(AidPolicyClaim.id == claim_id),
        principal,
        org=AidPolicyClaim.org_unit_id,
        graduate=AidPolicyClaim.student_id,
        session=session,
        roles=UNION_SIDE,
    )
    claim = session.scalar(stmt)
    if claim is None:
        raise NotFound(f"补贴申领 {claim_id} 不存在或不在您的管辖范围内")
    return claim


def list_claims(
    session: Session,
    *,
    principal: Principal,
    year: int | None = None,
    status: str | None = None,
    student_id: int | None = None,
    limit: int = 50,
    offset: int = 0,
) -> list[AidPolicyClaim]:
    require_reader(principal)
    stmt = select(AidPolicyClaim).order_by(AidPolicyClaim.id.desc()).limit(limit).offset(offset)
    if year is not None:
        stmt = stmt.where(AidPolicyClaim.year == year)
    if status is not None:
        stmt = stmt.where(AidPolicyClaim.status == status)
    if student_id is not None:
        stmt = stmt.where(AidPolicyClaim.student_id == student_id)
    stmt = scoped(
        stmt,
        principal,
        org=AidPolicyClaim.org_unit_id,
        graduate=AidPolicyClaim.student_id,
        session=session,
        roles=UNION_SIDE,
    )
    return list(session.scalars(stmt))


def _staff(principal: Principal, what: str) -> None:
    if principal.role not in STAFF:
        raise Forbidden(f"{what}由县区或市总工会工作人员办理，指导员不能办理")


def grant_claim(
    session: Session, *, principal: Principal, claim_id: int, amount: Decimal | None = None
) -> AidPolicyClaim:
    """Grant a claim (the amount claimed, or less): it holds that much of the county's budget of the fund; past
    the budget it is refused with the fund named."""
    _staff(principal, "补贴核准")
    claim = get_claim(session, principal=principal, claim_id=claim_id)
    session.scalar(for_update(select(AidPolicyClaim.id).where(AidPolicyClaim.id == claim.id), session))
    session.refresh(claim)
    value = claim.requested_amount if amount is None else amount
    if value <= 0 or value != value.quantize(CENT):
        raise ValidationFailed("核准金额须为正数，最多两位小数", field="amount")
    if value > claim.requested_amount:
        raise ValidationFailed(f"核准金额不能超过申领金额 {claim.requested_amount} 元", field="amount")
    if ClaimStatus.GRANTED not in MOVES[ClaimStatus(claim.status)]:
        _move(claim, ClaimStatus.GRANTED)  # raises: says where the claim stands
    budget = session.scalar(
        for_update(
            select(AidFundBudget).where(
                AidFundBudget.county_org_id == claim.county_org_id,
                AidFundBudget.year == claim.year,
                AidFundBudget.fund == claim.fund,
            ),
            session,
        )
    )
    name = fund_name(claim.fund)
    if budget is None:
        raise Conflict(f"本县区{claim.year}年没有“{name}”预算，不能核准", field="fund")
    if budget.committed + value > budget.amount:
        left = budget.amount - budget.committed
        raise Conflict(f"“{name}”预算不足：剩余 {left} 元，本次核准 {value} 元", field="fund")
    budget.committed = budget.committed + value
    _move(claim, ClaimStatus.GRANTED)
    claim.amount, claim.budget_id = money(value), budget.id
    claim.decided_by, claim.decided_at = principal.user_id, utcnow()
    session.flush()
    return claim


def refuse_claim(session: Session, *, principal: Principal, claim_id: int, reason: str) -> AidPolicyClaim:
    _staff(principal, "补贴审核")
    if not reason.strip():
        raise ValidationFailed("请填写不予核准的理由", field="reason")
    claim = get_claim(session, principal=principal, claim_id=claim_id)
    _move(claim, ClaimStatus.REFUSED)
    claim.refusal_reason = reason.strip()[:500]
    claim.decided_by, claim.decided_at = principal.user_id, utcnow()
    session.flush()
    return claim


def withdraw_claim(session: Session, *, principal: Principal, claim_id: int) -> AidPolicyClaim:
    """Withdraw a claim not yet paid; a granted one gives its amount back to the budget."""
    claim = get_claim(session, principal=principal, claim_id=claim_id)
    was = ClaimStatus(claim.status)
    _move(claim, ClaimStatus.WITHDRAWN)
    if was == ClaimStatus.GRANTED and claim.budget_id is not None and claim.amount is not None:
        budget = session.scalar(for_update(select(AidFundBudget).where(AidFundBudget.id == claim.budget_id), session))
        assert budget is not None
        budget.committed = budget.committed - claim.amount
    session.flush()
    return claim


def pay_claim(
    session: Session, *, principal: Principal, claim_id: int, idempotency_key: str, today: date
) -> payments.PaymentAnswer:
    """Pay a granted claim to its card: the same exactly-once path as an aid award."""
    get_claim(session, principal=principal, claim_id=claim_id)
    return payments.request_payment(
        session, principal=principal, claim_id=claim_id, idempotency_key=idempotency_key, today=today
    )
