"""Payments to the bank card, exactly once: of aid awards (助学金) and of policy claims (就业补贴) alike — eligibility,
idempotent requests, bank batches, result files and resends. One path: :func:`request_payment` takes an award or a
claim; batches, export, result import and resend do not care which it was."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.aid import bank as bankmod
from services.aid.guards import covers_or_404, for_update, require_staff
from services.aid.models import (
    AidApplication,
    AidAward,
    AidBudget,
    AidNotice,
    AidNoticeEntry,
    AidObjection,
    AidPayment,
    AidPaymentBatch,
    AidPaymentRequest,
    AidReview,
    AwardStatus,
    BatchStatus,
    ObjectionStatus,
    PaymentStatus,
    ReviewDecision,
    ReviewStage,
)
from services.aid.policy_models import AidFundBudget, AidPolicy, AidPolicyClaim, ClaimStatus
from services.aid.reviews import get_award
from services.db import utcnow
from services.errors import Conflict, NotFound, ValidationFailed
from services.orgs import service as orgs
from services.security import audit, pii
from services.security.principal import Principal
from services.security.scope import scoped


def payment_blockers(session: Session, *, award: AidAward, today: date) -> list[str]:
    """Why an award cannot be paid yet (empty when it can). Payable only after two different reviewers approved
    it and its notice has ended (``today`` past the last day) without an open or upheld objection; every payment
    the service creates passes through here, whatever the caller checked before."""
    out: list[str] = []
    if award.status != AwardStatus.NOTICED:
        names = {
            AwardStatus.APPROVED: "尚未公示",
            AwardStatus.PAYING: "已发起付款",
            AwardStatus.PAID: "已发放",
            AwardStatus.REVOKED: "已撤销",
        }
        out.append(names.get(AwardStatus(award.status), "状态不允许付款"))
        return out
    reviewers = {
        r.stage: r.reviewer_id
        for r in session.scalars(
            select(AidReview)
            .where(AidReview.application_id == award.application_id, AidReview.decision == ReviewDecision.APPROVE)
            .order_by(AidReview.id)
        )
    }
    if len(reviewers) != 2 or reviewers[ReviewStage.GRASSROOTS] == reviewers[ReviewStage.CENTRE]:
        out.append("缺少两名不同人员的审核意见")
    notice = session.scalar(
        select(AidNotice)
        .join(AidNoticeEntry, AidNoticeEntry.notice_id == AidNotice.id)
        .where(AidNoticeEntry.award_id == award.id)
    )
    if notice is None:
        out.append("尚未公示")
    elif today <= notice.ends_on:
        out.append(f"公示期未满（至{notice.ends_on:%Y年%m月%d日}）")
    statuses = set(session.scalars(select(AidObjection.status).where(AidObjection.award_id == award.id)))
    if ObjectionStatus.OPEN in statuses:
        out.append("公示异议尚未处理完毕")
    if ObjectionStatus.UPHELD in statuses:
        out.append("公示异议成立，不予发放")
    return out


@dataclass(frozen=True, slots=True)
class PaymentAnswer:
    status_code: int
    body: dict[str, Any]
    replayed: bool = False


def claim_payment_blockers(claim: AidPolicyClaim) -> list[str]:
    """Why a policy claim cannot be paid yet (empty when it can): only a granted claim is payable."""
    if claim.status == ClaimStatus.GRANTED:
        return []
    names = {
        ClaimStatus.APPLIED: "尚未核准",
        ClaimStatus.REFUSED: "不予核准",
        ClaimStatus.WITHDRAWN: "已撤回",
        ClaimStatus.PAYING: "已发起付款",
        ClaimStatus.PAID: "已发放",
    }
    return [names.get(ClaimStatus(claim.status), "状态不允许付款")]


@dataclass(frozen=True, slots=True)
class _Subject:
    """What is paid: an award or a policy claim (exactly one id set), with who it is paid to."""

    award: AidAward | None
    claim: AidPolicyClaim | None

    @property
    def what(self) -> str:
        return "该资助" if self.award is not None else "该补贴申领"

    def same(self, award_id: int | None, claim_id: int | None) -> bool:
        return award_id == (self.award.id if self.award else None) and claim_id == (
            self.claim.id if self.claim else None
        )

    def existing(self, session: Session) -> AidPayment | None:
        award, claim = self.award, self.claim
        if award is not None:
            return session.scalar(select(AidPayment).where(AidPayment.award_id == award.id))
        assert claim is not None
        return session.scalar(select(AidPayment).where(AidPayment.claim_id == claim.id))

    def lock(self, session: Session) -> None:
        award, claim = self.award, self.claim
        if award is not None:
            session.scalar(for_update(select(AidAward).where(AidAward.id == award.id), session))
            session.refresh(award)
        else:
            assert claim is not None
            session.scalar(for_update(select(AidPolicyClaim).where(AidPolicyClaim.id == claim.id), session))
            session.refresh(claim)


def _subject(session: Session, *, principal: Principal, award_id: int | None, claim_id: int | None) -> _Subject:
    if (award_id is None) == (claim_id is None):
        raise ValidationFailed("须指明一项资助或一项补贴申领", field="award_id")
    if award_id is not None:
        return _Subject(get_award(session, principal=principal, award_id=award_id), None)
    claim = session.get(AidPolicyClaim, claim_id)
    if claim is None:
        raise NotFound(f"补贴申领 {claim_id} 不存在")
    covers_or_404(principal, claim.org_unit_id, f"补贴申领 {claim_id} ")
    return _Subject(None, claim)


def _payment_body(payment: AidPayment) -> dict[str, Any]:
    return {
        "payment_id": payment.id,
        "award_id": payment.award_id,
        "claim_id": payment.claim_id,
        "reference": payment.reference,
        "amount": f"{payment.amount:.2f}",
        "status": str(payment.status),
        "payee_name": payment.payee_name,
        "payee_card_masked": payment.payee_card_masked,
    }


def _problem_body(status: int, code: str, title: str, detail: str) -> dict[str, Any]:
    return {
        "type": f"https://sunshine.invalid/problems/{code.replace('_', '-')}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [],
    }


def new_reference(prefix: str) -> str:
    return f"{prefix}{utcnow():%Y%m%d%H%M%S}{secrets.token_hex(4).upper()}"


def request_payment(
    session: Session,
    *,
    principal: Principal,
    idempotency_key: str,
    today: date,
    award_id: int | None = None,
    claim_id: int | None = None,
) -> PaymentAnswer:
    """Create the one payment of an award or of a policy claim (give exactly one of the two). On PostgreSQL the
    award or claim row is locked first (``SELECT … FOR UPDATE``), so concurrent requests for one of them run one
    after the other: a request whose key was answered before gets that same answer, any other sees the payment
    already made. The unique award_id / claim_id on payments and the unique idempotency key are the last guards."""
    require_staff(principal)
    key = idempotency_key.strip()
    if not 8 <= len(key) <= 100:
        raise ValidationFailed("Idempotency-Key 应为8至100个字符", field="Idempotency-Key")
    subject = _subject(session, principal=principal, award_id=award_id, claim_id=claim_id)
    # every request for this award or claim queues here, before anything else takes a lock on its row
    subject.lock(session)
    replay = _replay(session, key=key, subject=subject)
    if replay is not None:
        return replay
    claim = AidPaymentRequest(
        idempotency_key=key,
        award_id=subject.award.id if subject.award else None,
        claim_id=subject.claim.id if subject.claim else None,
        requested_by=principal.user_id,
        status_code=0,
        response={},
    )
    try:
        with session.begin_nested():
            session.add(claim)
            session.flush()
    except IntegrityError:
        # another request with this key committed first: give its answer
        replay = _replay(session, key=key, subject=subject)
        if replay is None:  # pragma: no cover - the unique violation means the row exists
            raise Conflict("同一幂等键的请求正在处理，请稍后重试") from None
        return replay
    answer = _create_payment(session, principal=principal, subject=subject, today=today)
    claim.status_code, claim.response = answer.status_code, answer.body
    session.flush()
    return answer


def _replay(session: Session, *, key: str, subject: _Subject) -> PaymentAnswer | None:
    row = session.scalar(select(AidPaymentRequest).where(AidPaymentRequest.idempotency_key == key))
    if row is None:
        return None
    if not subject.same(row.award_id, row.claim_id):
        raise Conflict("该幂等键已用于另一笔付款请求", field="Idempotency-Key")
    return PaymentAnswer(status_code=row.status_code, body=dict(row.response), replayed=True)


def _already_paid(existing: AidPayment | None, what: str) -> PaymentAnswer:
    detail = (
        f"{what}已有付款记录（流水号 {existing.reference}），不会重复付款"
        if existing
        else f"{what}已有付款记录，不会重复付款"
    )
    body = _problem_body(409, "already_paid", "与现有数据冲突", detail)
    body["payment_id"] = existing.id if existing else None
    return PaymentAnswer(status_code=409, body=body)


def _create_payment(session: Session, *, principal: Principal, subject: _Subject, today: date) -> PaymentAnswer:
    subject.lock(session)
    existing = subject.existing(session)
    if existing is not None:
        return _already_paid(existing, subject.what)
    if subject.award is not None:
        award = subject.award
        blockers = payment_blockers(session, award=award, today=today)
        app = session.get(AidApplication, award.application_id)
        assert app is not None
        payee: Any = app
        county_org_id, org_unit_id, amount = award.county_org_id, award.org_unit_id, award.amount
    else:
        assert subject.claim is not None
        blockers = claim_payment_blockers(subject.claim)
        payee = subject.claim
        county_org_id, org_unit_id = subject.claim.county_org_id, subject.claim.org_unit_id
        amount = subject.claim.amount or Decimal(0)
    if blockers:
        return PaymentAnswer(
            status_code=409, body=_problem_body(409, "not_payable", "当前不能付款", "；".join(blockers))
        )
    payment = AidPayment(
        award_id=subject.award.id if subject.award else None,
        claim_id=subject.claim.id if subject.claim else None,
        county_org_id=county_org_id,
        org_unit_id=org_unit_id,
        reference=new_reference("JQ" if subject.award else "BT"),
        amount=amount,
        payee_name=payee.payee_name,
        payee_bank=payee.payee_bank,
        payee_card_enc=payee.payee_card_enc,
        payee_card_masked=payee.payee_card_masked,
        status=PaymentStatus.PENDING,
        attempts=1,
        requested_by=principal.user_id,
    )
    try:
        with session.begin_nested():
            session.add(payment)
            session.flush()
    except IntegrityError:
        return _already_paid(subject.existing(session), subject.what)
    if subject.award is not None:
        subject.award.status = AwardStatus.PAYING
    else:
        assert subject.claim is not None
        subject.claim.status = ClaimStatus.PAYING
    session.flush()
    return PaymentAnswer(status_code=201, body=_payment_body(payment))


def get_payment(session: Session, *, principal: Principal, payment_id: int) -> AidPayment:
    require_staff(principal)
    row = session.get(AidPayment, payment_id)
    if row is None:
        raise NotFound(f"付款 {payment_id} 不存在")
    covers_or_404(principal, row.org_unit_id, f"付款 {payment_id} ")
    return row


def list_payments(
    session: Session, *, principal: Principal, status: str | None, batch_id: int | None, limit: int, offset: int
) -> list[AidPayment]:
    require_staff(principal)
    stmt = select(AidPayment).order_by(AidPayment.id).limit(limit).offset(offset)
    stmt = scoped(stmt, principal, org=AidPayment.org_unit_id)
    if status is not None:
        stmt = stmt.where(AidPayment.status == status)
    if batch_id is not None:
        stmt = stmt.where(AidPayment.batch_id == batch_id)
    return list(session.scalars(stmt))


def create_batch(session: Session, *, principal: Principal, county_org_id: int, year: int) -> AidPaymentBatch:
    """Gather the county's pending payments of the year (awards and policy claims) into a batch for the bank."""
    require_staff(principal)
    covers_or_404(principal, county_org_id, "单位")
    if orgs.county_of(session, org_unit_id=county_org_id).id != county_org_id:
        raise ValidationFailed("付款批次按县区、园区或市直工会编制", field="county_org_id")
    pending = (
        select(AidPayment)
        .where(
            AidPayment.county_org_id == county_org_id,
            or_(
                AidPayment.award_id.in_(select(AidAward.id).where(AidAward.year == year)),
                AidPayment.claim_id.in_(select(AidPolicyClaim.id).where(AidPolicyClaim.year == year)),
            ),
            AidPayment.status == PaymentStatus.PENDING,
            AidPayment.batch_id.is_(None),
        )
        .order_by(AidPayment.id)
    )
    payments = list(session.scalars(for_update(scoped(pending, principal, org=AidPayment.org_unit_id), session)))
    if not payments:
        raise Conflict("没有待编入批次的付款")
    batch = AidPaymentBatch(
        county_org_id=county_org_id,
        year=year,
        status=BatchStatus.OPEN,
        reference=new_reference("PB"),
        total=sum((p.amount for p in payments), Decimal(0)),
        count=len(payments),
        created_by=principal.user_id,
    )
    session.add(batch)
    session.flush()
    for p in payments:
        p.batch_id, p.status = batch.id, PaymentStatus.BATCHED
    session.flush()
    return batch


def get_batch(session: Session, *, principal: Principal, batch_id: int) -> AidPaymentBatch:
    require_staff(principal)
    row = session.get(AidPaymentBatch, batch_id)
    if row is None:
        raise NotFound(f"付款批次 {batch_id} 不存在")
    covers_or_404(principal, row.county_org_id, f"付款批次 {batch_id} ")
    return row


def export_batch(
    session: Session, *, principal: Principal, batch_id: int, gateway: bankmod.BankGateway
) -> bankmod.Submission:
    """Hand the batch to the bank (the file a clerk uploads). Exporting again gives the same lines and
    references, so a bank that already took the file rejects the repeats."""
    batch = get_batch(session, principal=principal, batch_id=batch_id)
    session.scalar(for_update(select(AidPaymentBatch.id).where(AidPaymentBatch.id == batch.id), session))
    payments = list(session.scalars(select(AidPayment).where(AidPayment.batch_id == batch.id).order_by(AidPayment.id)))
    policy_names = {
        cid: f"{year}年{name}"
        for cid, year, name in session.execute(
            select(AidPayment.claim_id, AidPolicyClaim.year, AidPolicy.name)
            .join(AidPolicyClaim, AidPolicyClaim.id == AidPayment.claim_id)
            .join(AidPolicy, AidPolicy.id == AidPolicyClaim.policy_id)
            .where(AidPayment.batch_id == batch.id)
        )
    }
    instructions = [
        bankmod.Instruction(
            reference=p.reference,
            payee_name=p.payee_name,
            card_number=pii.decrypt(p.payee_card_enc),
            bank_name=p.payee_bank,
            amount=p.amount,
            purpose=policy_names.get(p.claim_id, "") if p.claim_id is not None else f"{batch.year}年金秋助学金",
        )
        for p in payments
        if p.status in {PaymentStatus.BATCHED, PaymentStatus.SENT}
    ]
    if not instructions:
        raise Conflict("该批次没有待发送的付款")
    submission = gateway.submit(batch_reference=batch.reference, instructions=instructions)
    audit.record(
        session,
        action="export",
        target_type="aid_payment_batch",
        target_id=batch.id,
        field="payee_card",
        purpose="导出银行批量代发文件",
        principal=principal,
        detail={"count": len(instructions)},
    )
    for p in payments:
        if p.status == PaymentStatus.BATCHED:
            p.status = PaymentStatus.SENT
    batch.status, batch.exported_at = BatchStatus.EXPORTED, utcnow()
    batch.file_sha256 = hashlib.sha256(submission.content).hexdigest()
    session.flush()
    return submission


@dataclass(frozen=True, slots=True)
class ImportSummary:
    succeeded: int
    failed: int
    unknown: int


def _settle(session: Session, *, payment: AidPayment, result: bankmod.BankResult) -> None:
    if result.amount != payment.amount:
        raise ValidationFailed(
            f"回盘金额与付款不符：流水号 {payment.reference} 应为 {payment.amount}，回盘为 {result.amount}",
            field="file",
        )
    payment.bank_message = result.message or None
    if result.outcome == bankmod.BankOutcome.SUCCEEDED:
        payment.status, payment.settled_at = PaymentStatus.SUCCEEDED, utcnow()
        if payment.award_id is not None:
            award = session.scalar(for_update(select(AidAward).where(AidAward.id == payment.award_id), session))
            assert award is not None
            budget = session.scalar(for_update(select(AidBudget).where(AidBudget.id == award.budget_id), session))
            assert budget is not None
            if award.status != AwardStatus.PAID:
                award.status, award.paid_at = AwardStatus.PAID, utcnow()
                budget.paid = budget.paid + payment.amount
        else:
            claim = session.scalar(
                for_update(select(AidPolicyClaim).where(AidPolicyClaim.id == payment.claim_id), session)
            )
            assert claim is not None
            fund = session.scalar(for_update(select(AidFundBudget).where(AidFundBudget.id == claim.budget_id), session))
            if claim.status != ClaimStatus.PAID:
                claim.status, claim.paid_at = ClaimStatus.PAID, utcnow()
                if fund is not None:
                    fund.paid = fund.paid + payment.amount
    elif result.outcome == bankmod.BankOutcome.FAILED:
        payment.status = PaymentStatus.FAILED
    else:
        payment.status = PaymentStatus.UNKNOWN


def import_results(
    session: Session, *, principal: Principal, batch_id: int, content: bytes, gateway: bankmod.FileBankGateway
) -> ImportSummary:
    """Apply the bank's result file. Lines for payments already settled are ignored; payments of the batch the
    file does not mention become "outcome unknown" and must be queried before any resend."""
    batch = get_batch(session, principal=principal, batch_id=batch_id)
    if batch.status == BatchStatus.OPEN:
        raise Conflict("批次尚未导出给银行")
    results = bankmod.parse_results(content)
    payments = {
        p.reference: p
        for p in session.scalars(for_update(select(AidPayment).where(AidPayment.batch_id == batch.id), session))
    }
    unknown_refs = [r.reference for r in results if r.reference not in payments]
    if unknown_refs:
        raise ValidationFailed("回盘文件中有不属于本批次的流水号：" + "，".join(unknown_refs[:10]), field="file")
    seen = set()
    for result in results:
        payment = payments[result.reference]
        seen.add(result.reference)
        if payment.status in {PaymentStatus.SENT, PaymentStatus.UNKNOWN}:
            _settle(session, payment=payment, result=result)
    for ref, payment in payments.items():
        if ref not in seen and payment.status == PaymentStatus.SENT:
            payment.status = PaymentStatus.UNKNOWN
    gateway.keep_results(name=f"{utcnow():%Y%m%d%H%M%S%f}-{batch.reference}.csv", content=content)
    batch.status = BatchStatus.RESULTS_IMPORTED
    session.flush()
    counts = dict.fromkeys(PaymentStatus, 0)
    for p in payments.values():
        counts[PaymentStatus(p.status)] += 1
    return ImportSummary(
        succeeded=counts[PaymentStatus.SUCCEEDED],
        failed=counts[PaymentStatus.FAILED],
        unknown=counts[PaymentStatus.UNKNOWN],
    )


def resend_payment(
    session: Session, *, principal: Principal, payment_id: int, gateway: bankmod.BankGateway
) -> AidPayment:
    """Put a payment back for the next batch. An "outcome unknown" payment is first queried at the bank:
    paid means settled (no resend), failed allows the resend, no answer refuses it."""
    payment = get_payment(session, principal=principal, payment_id=payment_id)
    session.scalar(for_update(select(AidPayment.id).where(AidPayment.id == payment.id), session))
    session.refresh(payment)
    if payment.status in {PaymentStatus.UNKNOWN, PaymentStatus.SENT}:
        answer = gateway.query(reference=payment.reference)
        if answer is None or answer.outcome == bankmod.BankOutcome.UNKNOWN:
            raise Conflict("银行尚未给出该笔付款的结果，为防止重复付款不能重发；请导入回盘文件或向银行查询后再试")
        _settle(session, payment=payment, result=answer)
        if payment.status == PaymentStatus.SUCCEEDED:
            session.flush()
            return payment
    if payment.status != PaymentStatus.FAILED:
        raise Conflict("只有银行明确退回失败的付款才能重发")
    payment.status, payment.batch_id = PaymentStatus.PENDING, None
    payment.attempts += 1
    payment.reference = new_reference("JQ" if payment.award_id is not None else "BT")
    session.flush()
    return payment
