"""Two-stage review (grassroots union, then assistance centre), the award it creates, and revocation."""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.aid.applications import conflicted_reviewers, get_application
from services.aid.checklist import checklist_complete
from services.aid.guards import CENT, REVIEW_ROLES, covers_or_404, for_update, require_staff
from services.aid.models import (
    AidApplication,
    AidAward,
    AidBudget,
    AidPayment,
    AidReview,
    AidStandard,
    AmountBasis,
    ApplicationStatus,
    AwardStatus,
    ReviewDecision,
    ReviewStage,
)
from services.db import utcnow
from services.errors import Conflict, Forbidden, NotFound, ValidationFailed
from services.security.models import Role
from services.security.principal import Principal
from services.security.scope import UNION_SIDE, scoped


def _award_amount(app: AidApplication, standard: AidStandard, amount: Decimal | None) -> Decimal:
    if standard.basis == AmountBasis.TUITION_INVOICE:
        invoice = app.tuition_invoice_amount or Decimal(0)
        decided = min(invoice, standard.cap)
        if amount is not None and amount != decided:
            raise ValidationFailed(f"按学费发票发放：金额应为发票学费与上限中较小者 {decided} 元", field="amount")
    elif standard.basis == AmountBasis.DESIGNATED:
        decided = amount if amount is not None else standard.cap
    else:
        decided = amount if amount is not None else (app.requested_amount or standard.cap)
    if decided <= 0:
        raise ValidationFailed("资助金额须大于0", field="amount")
    if decided != decided.quantize(CENT):
        raise ValidationFailed("金额最多两位小数", field="amount")
    if decided > standard.cap:
        raise ValidationFailed(f"资助金额不得超过标准上限 {standard.cap} 元", field="amount")
    return decided


def _grant(session: Session, *, app: AidApplication, standard: AidStandard, amount: Decimal) -> AidAward:
    """Commit budget and number the award inside the student's allowance for the year and fund."""
    budget = session.scalar(
        for_update(
            select(AidBudget).where(
                AidBudget.county_org_id == app.county_org_id,
                AidBudget.year == app.year,
                AidBudget.fund_source == standard.fund_source,
            ),
            session,
        )
    )
    if budget is None:
        raise Conflict("该县区本年度此项资金尚未下达预算，不能批准")
    remaining = budget.amount - budget.committed
    if amount > remaining:
        raise Conflict(f"预算余额不足：剩余 {remaining} 元，本次 {amount} 元")
    live = list(
        session.scalars(
            for_update(
                select(AidAward).where(
                    AidAward.student_id == app.student_id,
                    AidAward.year == app.year,
                    AidAward.fund_source == standard.fund_source,
                    AidAward.status != AwardStatus.REVOKED,
                ),
                session,
            )
        )
    )
    allowance = standard.max_awards_per_year
    if len(live) >= allowance:
        if allowance == 1:
            raise Conflict("该学生本年度已获同一资金来源的资助，标准不允许重复资助")
        raise Conflict(f"该学生本年度已获此项资金资助 {len(live)} 次，已达标准允许的次数")
    if standard.basis == AmountBasis.TUITION_INVOICE:
        so_far = sum((a.amount for a in live if a.standard_id == standard.id), Decimal(0))
        if so_far + amount > standard.cap:
            raise Conflict(f"每生每年不超过 {standard.cap} 元，本年度已发 {so_far} 元")
    taken = {a.award_seq for a in live}
    seq = next(n for n in range(1, allowance + 1) if n not in taken)
    award = AidAward(
        application_id=app.id,
        standard_id=standard.id,
        budget_id=budget.id,
        student_id=app.student_id,
        org_unit_id=app.org_unit_id,
        county_org_id=app.county_org_id,
        year=app.year,
        fund_source=standard.fund_source,
        award_seq=seq,
        amount=amount,
        cap=standard.cap,
        status=AwardStatus.APPROVED,
    )
    budget.committed = budget.committed + amount
    try:
        with session.begin_nested():
            session.add(award)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("该学生本年度已获同一资金来源的资助（并发提交已被拦截）") from exc
    return award


def review(
    session: Session,
    *,
    principal: Principal,
    application_id: int,
    stage: str,
    decision: str,
    opinion: str,
    amount: Decimal | None = None,
) -> AidApplication:
    """Grassroots union opinion, then assistance-centre opinion, by two different people; neither may be the
    student's counselor or the student. Approval at the centre creates the award and commits the budget."""
    if principal.role not in REVIEW_ROLES:
        raise Forbidden("只有工会工作人员可以填写审核意见")
    app = get_application(session, principal=principal, application_id=application_id)
    session.scalar(for_update(select(AidApplication.id).where(AidApplication.id == app.id), session))
    session.refresh(app)
    if stage not in {s.value for s in ReviewStage}:
        raise ValidationFailed("审核环节应为 grassroots（基层工会）或 centre（帮扶中心）", field="stage")
    if decision not in {d.value for d in ReviewDecision}:
        raise ValidationFailed("审核结论应为 approve、return 或 refuse", field="decision")
    if not opinion or len(opinion.strip()) < 2:
        raise ValidationFailed("须填写审核意见（退回或不予资助须写明原因）", field="opinion")
    if principal.user_id in conflicted_reviewers(session, app=app):
        raise Forbidden("学生本人及其就业指导员不能审核该申请")
    expected = {
        ApplicationStatus.SUBMITTED: ReviewStage.GRASSROOTS,
        ApplicationStatus.GRASSROOTS_APPROVED: ReviewStage.CENTRE,
    }.get(ApplicationStatus(app.status))
    if expected is None:
        raise Conflict("该申请当前状态不需要审核")
    if stage != expected:
        raise Conflict("须先由基层工会审核，再由帮扶中心审核")
    standard = session.get(AidStandard, app.standard_id)
    assert standard is not None
    decided: Decimal | None = None
    if (
        stage == ReviewStage.GRASSROOTS
        and decision == ReviewDecision.APPROVE
        and not checklist_complete(session, app=app)
    ):
        raise Conflict("申请材料尚未全部上传并核对，不能通过")
    if stage == ReviewStage.CENTRE:
        first = session.scalar(
            select(AidReview)
            .where(
                AidReview.application_id == app.id,
                AidReview.stage == ReviewStage.GRASSROOTS,
                AidReview.decision == ReviewDecision.APPROVE,
            )
            .order_by(AidReview.id.desc())
        )
        if first is None:
            raise Conflict("缺少基层工会审核意见")
        if first.reviewer_id == principal.user_id:
            raise Forbidden("帮扶中心意见须由与基层工会审核人不同的人员填写")
        if decision == ReviewDecision.APPROVE:
            decided = _award_amount(app, standard, amount)
            _grant(session, app=app, standard=standard, amount=decided)
    session.add(
        AidReview(
            application_id=app.id,
            stage=stage,
            decision=decision,
            opinion=opinion.strip(),
            amount=decided,
            reviewer_id=principal.user_id,
            at=utcnow(),
        )
    )
    if decision == ReviewDecision.RETURN:
        app.status, app.return_reason = ApplicationStatus.RETURNED, opinion.strip()
    elif decision == ReviewDecision.REFUSE:
        app.status, app.refusal_reason = ApplicationStatus.REFUSED, opinion.strip()
    elif stage == ReviewStage.GRASSROOTS:
        app.status = ApplicationStatus.GRASSROOTS_APPROVED
    else:
        app.status = ApplicationStatus.APPROVED
    session.flush()
    return app


def reviews_of(session: Session, *, application_id: int) -> list[AidReview]:
    return list(
        session.scalars(select(AidReview).where(AidReview.application_id == application_id).order_by(AidReview.id))
    )


def award_of(session: Session, *, application: AidApplication) -> AidAward | None:
    """The award of an application the caller already holds (None before the centre approves it)."""
    return session.scalar(select(AidAward).where(AidAward.application_id == application.id))


def get_award(session: Session, *, principal: Principal, award_id: int) -> AidAward:
    award = session.get(AidAward, award_id)
    if award is None:
        raise NotFound(f"资助 {award_id} 不存在")
    if principal.role == Role.GRADUATE:
        app = session.get(AidApplication, award.application_id)
        if app is None or app.user_id != principal.user_id:
            raise NotFound(f"资助 {award_id} 不存在")
        return award
    if principal.role not in UNION_SIDE:
        raise Forbidden("您的角色不能查看资助记录")
    covers_or_404(principal, award.org_unit_id, f"资助 {award_id} ")
    return award


def list_awards(
    session: Session, *, principal: Principal, year: int | None, status: str | None, limit: int, offset: int
) -> list[AidAward]:
    require_staff(principal)
    stmt = select(AidAward).order_by(AidAward.id).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=AidAward.org_unit_id)
    if year is not None:
        stmt = stmt.where(AidAward.year == year)
    if status is not None:
        stmt = stmt.where(AidAward.status == status)
    return list(session.scalars(stmt))


def revoke_award(session: Session, *, principal: Principal, award_id: int, reason: str) -> AidAward:
    """Withdraw an award that has not been paid; its budget and its place in the student's allowance return."""
    require_staff(principal)
    award = get_award(session, principal=principal, award_id=award_id)
    session.scalar(for_update(select(AidAward.id).where(AidAward.id == award.id), session))
    session.refresh(award)
    if not reason or len(reason.strip()) < 2:
        raise ValidationFailed("撤销须写明原因", field="reason")
    return withdraw_award(session, award=award, reason=reason.strip())


def withdraw_award(session: Session, *, award: AidAward, reason: str) -> AidAward:
    if award.status == AwardStatus.PAID:
        raise Conflict("已发放到账的资助不能撤销")
    if award.status == AwardStatus.REVOKED:
        raise Conflict("该资助已撤销")
    if session.scalar(select(AidPayment.id).where(AidPayment.award_id == award.id)) is not None:
        raise Conflict("该资助已发起付款，不能撤销；请先处理付款结果")
    budget = session.scalar(for_update(select(AidBudget).where(AidBudget.id == award.budget_id), session))
    assert budget is not None
    budget.committed = budget.committed - award.amount
    award.status, award.award_seq, award.revoked_reason = AwardStatus.REVOKED, None, reason
    app = session.get(AidApplication, award.application_id)
    assert app is not None
    app.status, app.refusal_reason = ApplicationStatus.REVOKED, reason
    session.flush()
    return award
