"""Donation funds (社会各界捐款可按照捐赠方意愿确定资金使用对象和标准, 通知三（三）) and the aid allocated from them.

A fund keeps the donor's wishes as data: criteria on the student (:class:`Conditions`), the students the donor
named (recipients), the standard per person and a cap per person. Whether an allocation keeps to them is decided by
:func:`allocation_breaches`, and every path that allocates — the API, the console form, a spreadsheet import —
goes through :func:`allocate`, which locks the fund, refuses a breach with 422 naming the donor's condition
(changing nothing, the refusal audited) and keeps the fund's balance from going below zero.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aid.donation_models import (
    DONOR_KIND_NAMES,
    AidDonationAllocation,
    AidDonationFund,
    AidDonationRecipient,
    AllocationStatus,
    FundStatus,
)
from services.aid.guards import CENT, covers_or_404, for_update, money, require_staff
from services.aid.models import AidAward, AwardStatus, FundSource
from services.db import utcnow
from services.errors import Conflict, FieldError, NotFound, ValidationFailed
from services.identifiers import InvalidIdentifier, parse_resident_id
from services.orgs import service as orgs
from services.orgs.models import OrgUnit
from services.refdata.api import vocabularies
from services.registry.api import Graduate, aid_student
from services.security import audit, pii
from services.security.models import AuditEvent
from services.security.principal import Principal
from services.security.scope import can_read_graduate, scoped

STAGE_NAMES = {"student": "在读学生", "graduate": "毕业生"}
SOURCES = frozenset({"api", "console", "import"})
_LIST_KEYS = ("stages", "service_categories", "school_kinds", "educations", "county_org_ids", "cohorts", "majors")


@dataclass(frozen=True, slots=True)
class Conditions:
    """The donor's criteria on a student; an empty list sets no limit.

    ``stages``: 在读 (student) or 毕业 (graduate); ``service_categories``: the notice's 服务对象 categories;
    ``school_kinds``: 学校种类 (school level); ``educations``: 学历 codes; ``county_org_ids``: the counties (org
    units) the student's archive must be in; ``cohorts``: graduation cohorts; ``majors``: major codes or class
    prefixes (``0809`` 计算机类); ``archived_only``: only students of 建档 families.
    """

    stages: tuple[str, ...] = ()
    service_categories: tuple[str, ...] = ()
    school_kinds: tuple[str, ...] = ()
    educations: tuple[str, ...] = ()
    county_org_ids: tuple[int, ...] = ()
    cohorts: tuple[int, ...] = ()
    majors: tuple[str, ...] = ()
    archived_only: bool = False

    def as_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {k: list(getattr(self, k)) for k in _LIST_KEYS if getattr(self, k)}
        if self.archived_only:
            out["archived_only"] = True
        return out


def conditions_of(fund: AidDonationFund) -> Conditions:
    raw = fund.conditions or {}
    return Conditions(
        stages=tuple(raw.get("stages", ())),
        service_categories=tuple(raw.get("service_categories", ())),
        school_kinds=tuple(raw.get("school_kinds", ())),
        educations=tuple(raw.get("educations", ())),
        county_org_ids=tuple(int(x) for x in raw.get("county_org_ids", ())),
        cohorts=tuple(int(x) for x in raw.get("cohorts", ())),
        majors=tuple(raw.get("majors", ())),
        archived_only=bool(raw.get("archived_only", False)),
    )


def check_conditions(session: Session, conditions: Conditions) -> Conditions:
    """Every code a known one: a condition the service cannot test is refused when the fund is set up."""
    vocab = vocabularies(session)
    for key, enum in (
        ("service_categories", "service_category"),
        ("school_kinds", "school_kind"),
        ("educations", "education"),
    ):
        known = set(vocab[enum].names)
        bad = [c for c in getattr(conditions, key) if c not in known]
        if bad:
            raise ValidationFailed(f"代码“{bad[0]}”不在{vocab[enum].title}中", field=f"conditions.{key}")
    bad_stage = [s for s in conditions.stages if s not in STAGE_NAMES]
    if bad_stage:
        raise ValidationFailed("就读状态应为 student（在读）或 graduate（毕业）", field="conditions.stages")
    for unit_id in conditions.county_org_ids:
        unit = session.get(OrgUnit, unit_id)
        if unit is None or orgs.county_of(session, org_unit_id=unit_id).id != unit_id:
            raise ValidationFailed(f"县区 {unit_id} 不是县区、园区或市直工会", field="conditions.county_org_ids")
    if any(not 2000 <= c <= 2100 for c in conditions.cohorts):
        raise ValidationFailed("毕业届别应为2000至2100之间的年份", field="conditions.cohorts")
    if any(not m.isalnum() or len(m) > 12 for m in conditions.majors):
        raise ValidationFailed("专业限定应为专业代码或专业类代码（如 0809）", field="conditions.majors")
    return conditions


def describe(session: Session, fund: AidDonationFund) -> list[str]:
    """The donor's conditions in a clerk's words, as the fund page and the donor's report show them."""
    c = conditions_of(fund)
    vocab = vocabularies(session)
    out: list[str] = []
    if c.stages:
        out.append("仅资助" + "、".join(STAGE_NAMES[s] for s in c.stages))
    if c.educations:
        out.append("学历：" + "、".join(vocab["education"].names.get(e, e) for e in c.educations))
    if c.school_kinds:
        out.append("学校种类：" + "、".join(vocab["school_kind"].names.get(k, k) for k in c.school_kinds))
    if c.service_categories:
        out.append("服务对象：" + "、".join(vocab["service_category"].names.get(k, k) for k in c.service_categories))
    if c.county_org_ids:
        out.append("县区：" + "、".join(place_name(session, u) for u in c.county_org_ids))
    if c.cohorts:
        out.append("毕业届别：" + "、".join(f"{y}届" for y in c.cohorts))
    if c.majors:
        out.append("专业（类）代码：" + "、".join(c.majors))
    if c.archived_only:
        out.append("仅资助建档困难职工家庭学生")
    if fund.standard_amount is not None:
        out.append(f"资助标准：每人 {fund.standard_amount} 元")
    if fund.max_per_person is not None:
        out.append(f"每人累计不超过 {fund.max_per_person} 元")
    return out


def place_name(session: Session, unit_id: int) -> str:
    """A county union's place as a donor writes it: 涡阳县总工会 → 涡阳县."""
    unit = session.get(OrgUnit, unit_id)
    if unit is None:
        return str(unit_id)
    return unit.name.removesuffix("总工会").removesuffix("工会") or unit.name


# ---- funds -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class FundInput:
    year: int
    name: str
    donor_name: str
    donor_kind: str
    pledged: Decimal
    received: Decimal
    standard_amount: Decimal | None = None
    max_per_person: Decimal | None = None
    conditions: Conditions = field(default_factory=Conditions)
    recipient_ids: list[int] = field(default_factory=list)
    note: str | None = None
    org_unit_id: int | None = None


def _money_field(value: Decimal | None, name: str, *, positive: bool) -> None:
    if value is None:
        return
    if value != value.quantize(CENT) or value < 0 or (positive and value == 0):
        need = "正数" if positive else "非负数"
        raise ValidationFailed(f"金额须为{need}，最多两位小数", field=name)


def create_fund(session: Session, *, principal: Principal, data: FundInput) -> AidDonationFund:
    """Record a donor's fund at the principal's union (or a unit of its scope) with the donor's conditions."""
    require_staff(principal)
    org_unit_id = data.org_unit_id or principal.org_unit_id
    if org_unit_id is None:
        raise ValidationFailed("须指定管理该笔捐款的工会", field="org_unit_id")
    covers_or_404(principal, org_unit_id, "工会组织")
    if not data.name.strip() or not data.donor_name.strip():
        raise ValidationFailed("须填写捐款项目名称和捐赠方", field="donor_name" if data.name.strip() else "name")
    if data.donor_kind not in DONOR_KIND_NAMES:
        raise ValidationFailed(f"捐赠方类型“{data.donor_kind}”无效", field="donor_kind")
    if not 2000 <= data.year <= 2100:
        raise ValidationFailed("年度应为2000至2100之间", field="year")
    _money_field(data.pledged, "pledged", positive=False)
    _money_field(data.received, "received", positive=False)
    _money_field(data.standard_amount, "standard_amount", positive=True)
    _money_field(data.max_per_person, "max_per_person", positive=True)
    if (
        data.standard_amount is not None
        and data.max_per_person is not None
        and data.standard_amount > data.max_per_person
    ):
        raise ValidationFailed("资助标准不能高于每人累计上限", field="standard_amount")
    conditions = check_conditions(session, data.conditions)
    fund = AidDonationFund(
        org_unit_id=org_unit_id,
        year=data.year,
        name=data.name.strip(),
        donor_name=data.donor_name.strip(),
        donor_kind=data.donor_kind,
        pledged=money(data.pledged),
        received=money(data.received),
        allocated=Decimal("0.00"),
        standard_amount=data.standard_amount,
        max_per_person=data.max_per_person,
        conditions=conditions.as_json(),
        status=FundStatus.OPEN,
        note=(data.note or "").strip() or None,
        created_by=principal.user_id,
    )
    session.add(fund)
    session.flush()
    set_recipients(session, principal=principal, fund=fund, student_ids=data.recipient_ids)
    return fund


def set_recipients(
    session: Session, *, principal: Principal, fund: AidDonationFund, student_ids: Sequence[int]
) -> list[int]:
    """The students the donor named (replacing any named before); each must be a student the principal serves."""
    ids = list(dict.fromkeys(student_ids))
    for sid in ids:
        student = session.get(Graduate, sid)
        if student is None or not can_read_graduate(
            session, principal=principal, graduate_id=sid, org_unit_id=student.org_unit_id, user_id=student.user_id
        ):
            raise ValidationFailed(f"学生档案 {sid} 不存在或不在您的管辖范围内", field="recipient_ids")
    held = {
        r.student_id: r
        for r in session.scalars(select(AidDonationRecipient).where(AidDonationRecipient.fund_id == fund.id))
    }
    for sid, row in held.items():
        if sid not in ids:
            session.delete(row)
    for sid in ids:
        if sid not in held:
            session.add(AidDonationRecipient(fund_id=fund.id, student_id=sid))
    session.flush()
    return ids


def recipients_of(session: Session, *, fund: AidDonationFund) -> list[int]:
    return list(
        session.scalars(
            select(AidDonationRecipient.student_id)
            .where(AidDonationRecipient.fund_id == fund.id)
            .order_by(AidDonationRecipient.id)
        )
    )


def get_fund(session: Session, *, principal: Principal, fund_id: int) -> AidDonationFund:
    require_staff(principal)
    fund = session.scalar(
        scoped(select(AidDonationFund).where(AidDonationFund.id == fund_id), principal, org=AidDonationFund.org_unit_id)
    )
    if fund is None:
        raise NotFound(f"捐款项目 {fund_id} 不存在或不在您的管辖范围内")
    return fund


def list_funds(session: Session, *, principal: Principal, year: int | None = None) -> list[AidDonationFund]:
    require_staff(principal)
    stmt = select(AidDonationFund).order_by(AidDonationFund.year.desc(), AidDonationFund.id)
    if year is not None:
        stmt = stmt.where(AidDonationFund.year == year)
    return list(session.scalars(scoped(stmt, principal, org=AidDonationFund.org_unit_id)))


def update_fund(
    session: Session,
    *,
    principal: Principal,
    fund_id: int,
    pledged: Decimal | None = None,
    received: Decimal | None = None,
    status: str | None = None,
    note: str | None = None,
) -> AidDonationFund:
    """Money received as it arrives, the pledge, and closing the fund; never below what is already allocated."""
    fund = get_fund(session, principal=principal, fund_id=fund_id)
    session.scalar(for_update(select(AidDonationFund.id).where(AidDonationFund.id == fund.id), session))
    session.refresh(fund)
    _money_field(pledged, "pledged", positive=False)
    _money_field(received, "received", positive=False)
    if received is not None:
        if received < fund.allocated:
            raise ValidationFailed(f"到账金额不能低于已安排的 {fund.allocated} 元", field="received")
        fund.received = money(received)
    if pledged is not None:
        fund.pledged = money(pledged)
    if status is not None:
        if status not in {s.value for s in FundStatus}:
            raise ValidationFailed("状态应为 open（使用中）或 closed（已结项）", field="status")
        fund.status = status
    if note is not None:
        fund.note = note.strip() or None
    session.flush()
    return fund


# ---- the one rule: does an allocation keep to the donor's wishes? ------------------------------------------------


def allocation_breaches(
    session: Session,
    *,
    fund: AidDonationFund,
    student: Graduate,
    amount: Decimal,
    award: AidAward | None = None,
) -> list[FieldError]:
    """Every way the allocation of ``amount`` to ``student`` would break the fund's conditions or balance, each
    naming the condition as a clerk reads it (empty when it keeps to them). Called by :func:`allocate` with the
    fund row locked; every path that allocates calls that."""
    out: list[FieldError] = []

    def breach(field_name: str, reason: str, code: str) -> None:
        out.append(FieldError(field=field_name, reason=reason, code=code))

    vocab = vocabularies(session)
    c = conditions_of(fund)
    if fund.status != FundStatus.OPEN:
        breach("fund_id", "该笔捐款已结项，不能再安排资助", "fund_closed")
    if amount <= 0 or amount != amount.quantize(CENT):
        breach("amount", "资助金额须为正数，最多两位小数", "amount")
        return out
    named = recipients_of(session, fund=fund)
    if named and student.id not in named:
        breach("student_id", "捐赠方限定：仅资助捐赠方指定的学生，该学生不在指定名单内", "named_recipients")
    edu_names = "、".join(vocab["education"].names.get(e, e) for e in c.educations)
    stage_names = "、".join(STAGE_NAMES[s] for s in c.stages)
    stage_ok = not c.stages or student.stage in c.stages
    edu_ok = not c.educations or student.education in c.educations
    if c.stages and c.educations and not (stage_ok and edu_ok):
        breach("student_id", f"捐赠方限定：仅资助{edu_names}{stage_names}", "education_stage")
    elif not stage_ok:
        breach("student_id", f"捐赠方限定：仅资助{stage_names}", "stage")
    elif not edu_ok:
        breach("student_id", f"捐赠方限定：仅资助学历为{edu_names}的学生", "education")
    if c.school_kinds and student.school_kind not in c.school_kinds:
        names = "、".join(vocab["school_kind"].names.get(k, k) for k in c.school_kinds)
        breach("student_id", f"捐赠方限定：仅资助就读于{names}的学生", "school_kind")
    if c.service_categories and student.service_category not in c.service_categories:
        names = "、".join(vocab["service_category"].names.get(k, k) for k in c.service_categories)
        breach("student_id", f"捐赠方限定：仅资助{names}", "service_category")
    if c.county_org_ids:
        county = orgs.county_of(session, org_unit_id=student.org_unit_id).id
        if county not in c.county_org_ids:
            names = "、".join(place_name(session, u) for u in c.county_org_ids)
            breach("student_id", f"捐赠方限定：仅资助{names}的学生", "county")
    if c.cohorts and student.cohort not in c.cohorts:
        breach("student_id", "捐赠方限定：仅资助" + "、".join(f"{y}届" for y in c.cohorts) + "学生", "cohort")
    if c.majors and not any((student.major_code or "").startswith(m) for m in c.majors):
        breach("student_id", "捐赠方限定：仅资助专业（类）代码为" + "、".join(c.majors) + "的学生", "major")
    if c.archived_only and not aid_student(session, student_id=student.id).archived:
        breach("student_id", "捐赠方限定：仅资助建档困难职工家庭学生", "archived_only")
    so_far = session.scalar(
        select(func.coalesce(func.sum(AidDonationAllocation.amount), 0)).where(
            AidDonationAllocation.fund_id == fund.id,
            AidDonationAllocation.student_id == student.id,
            AidDonationAllocation.status == AllocationStatus.ALLOCATED,
        )
    )
    so_far = Decimal(so_far or 0)
    if fund.standard_amount is not None:
        if amount != fund.standard_amount:
            breach("amount", f"捐赠方限定：资助标准为每人 {fund.standard_amount} 元", "standard")
        elif so_far > 0:
            breach("amount", f"捐赠方限定：每人按标准资助一次（{fund.standard_amount} 元），该学生已获资助", "standard")
    if fund.max_per_person is not None and so_far + amount > fund.max_per_person:
        breach(
            "amount",
            f"捐赠方限定：每人累计不超过 {fund.max_per_person} 元，该学生已获 {money(so_far)} 元",
            "max_per_person",
        )
    balance = fund.received - fund.allocated
    if amount > balance:
        breach("amount", f"捐款余额不足：余额 {money(balance)} 元，本次 {money(amount)} 元", "balance")
    if award is not None:
        if award.student_id != student.id:
            breach("award_id", "关联的资助不是该学生的", "award")
        elif award.fund_source != FundSource.DONATION:
            breach("award_id", "关联的资助须为社会捐款资助", "award")
        elif award.status == AwardStatus.REVOKED:
            breach("award_id", "关联的资助已撤销", "award")
        elif award.amount != amount:
            breach("amount", f"金额须与关联资助的金额 {award.amount} 元一致", "award")
        linked = session.scalar(
            select(AidDonationAllocation.id).where(
                AidDonationAllocation.award_id == award.id,
                AidDonationAllocation.status == AllocationStatus.ALLOCATED,
            )
        )
        if linked is not None:
            breach("award_id", "该资助已由另一笔捐款安排", "award")
    return out


def allocate(
    session: Session,
    *,
    principal: Principal,
    fund_id: int,
    student_id: int,
    amount: Decimal,
    award_id: int | None = None,
    note: str | None = None,
    source: str = "api",
) -> AidDonationAllocation:
    """Allocate aid from a donation fund to a student — the only way an allocation is made (API, console, import).

    The fund row is locked, so two allocations at once are judged one after the other and the balance never goes
    below zero. A breach of the donor's conditions is refused with 422 naming the condition (every breach in
    ``errors``), nothing changed, and the refusal recorded in the audit log."""
    if source not in SOURCES:
        raise ValidationFailed("来源无效", field="source")
    fund = get_fund(session, principal=principal, fund_id=fund_id)
    session.scalar(for_update(select(AidDonationFund.id).where(AidDonationFund.id == fund.id), session))
    session.refresh(fund)
    student = session.get(Graduate, student_id)
    if student is None or not can_read_graduate(
        session, principal=principal, graduate_id=student_id, org_unit_id=student.org_unit_id, user_id=student.user_id
    ):
        raise NotFound(f"学生档案 {student_id} 不存在或不在您的管辖范围内")
    award = None
    if award_id is not None:
        award = session.get(AidAward, award_id)
        if award is None or not principal.covers(award.org_unit_id):
            raise NotFound(f"资助 {award_id} 不存在或不在您的管辖范围内")
    breaches = allocation_breaches(session, fund=fund, student=student, amount=amount, award=award)
    if breaches:
        audit.record_denial(
            session,
            action="aid.donation.allocate",
            target_type="aid_donation_fund",
            target_id=fund.id,
            field=breaches[0].field,
            detail={
                "student_id": student_id,
                "amount": str(amount),
                "reasons": [b.code for b in breaches],
                "reason": breaches[0].reason,
            },
            principal=principal,
        )
        raise ValidationFailed(breaches[0].reason, errors=breaches)
    row = AidDonationAllocation(
        fund_id=fund.id,
        student_id=student.id,
        org_unit_id=student.org_unit_id,
        county_org_id=orgs.county_of(session, org_unit_id=student.org_unit_id).id,
        amount=money(amount),
        award_id=award.id if award else None,
        status=AllocationStatus.ALLOCATED,
        source=source,
        note=(note or "").strip() or None,
        created_by=principal.user_id,
        allocated_at=utcnow(),
    )
    fund.allocated = fund.allocated + money(amount)
    session.add(row)
    session.flush()
    return row


def withdraw(session: Session, *, principal: Principal, allocation_id: int, reason: str) -> AidDonationAllocation:
    """Take an allocation back (its money returns to the fund's balance) while its award is not paid."""
    row = get_allocation(session, principal=principal, allocation_id=allocation_id)
    fund = get_fund(session, principal=principal, fund_id=row.fund_id)
    session.scalar(for_update(select(AidDonationFund.id).where(AidDonationFund.id == fund.id), session))
    session.refresh(fund)
    session.refresh(row)
    if not reason or len(reason.strip()) < 2:
        raise ValidationFailed("撤回须写明原因", field="reason")
    if row.status != AllocationStatus.ALLOCATED:
        raise Conflict("该笔资助已撤回")
    if row.award_id is not None:
        award = session.get(AidAward, row.award_id)
        if award is not None and award.status in {AwardStatus.PAYING, AwardStatus.PAID}:
            raise Conflict("关联资助已发起付款或已到账，不能撤回")
    row.status, row.withdrawn_reason = AllocationStatus.WITHDRAWN, reason.strip()
    fund.allocated = fund.allocated - row.amount
    session.flush()
    return row


@dataclass(frozen=True, slots=True)
class Refusal:
    at: datetime
    student_id: int | None
    amount: str
    reason: str


def refusals_of(session: Session, *, fund: AidDonationFund, limit: int = 20) -> list[Refusal]:
    """The allocations refused from a fund the caller already reached, newest first, as the audit log keeps them."""
    rows = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == "aid.donation.allocate",
            AuditEvent.target_type == "aid_donation_fund",
            AuditEvent.target_id == str(fund.id),
            AuditEvent.outcome == "denied",
        )
        .order_by(AuditEvent.id.desc())
        .limit(limit)
    )
    out = []
    for row in rows:
        detail = row.detail or {}
        sid = detail.get("student_id")
        out.append(
            Refusal(
                at=row.at,
                student_id=int(sid) if isinstance(sid, int) else None,
                amount=str(detail.get("amount", "")),
                reason=str(detail.get("reason", "")),
            )
        )
    return out


def get_allocation(session: Session, *, principal: Principal, allocation_id: int) -> AidDonationAllocation:
    require_staff(principal)
    row = session.scalar(
        scoped(
            select(AidDonationAllocation).where(AidDonationAllocation.id == allocation_id),
            principal,
            org=AidDonationAllocation.org_unit_id,
        )
    )
    if row is None:
        raise NotFound(f"捐款资助 {allocation_id} 不存在或不在您的管辖范围内")
    return row


def allocations_of(session: Session, *, fund: AidDonationFund) -> list[AidDonationAllocation]:
    """Every allocation of a fund the caller already reached through :func:`get_fund`."""
    return list(
        session.scalars(
            select(AidDonationAllocation)
            .where(AidDonationAllocation.fund_id == fund.id)
            .order_by(AidDonationAllocation.id)
        )
    )


def find_student(session: Session, *, principal: Principal, id_number: str) -> int:
    """The student of a resident ID number among those the principal serves (the console form and the import
    name students by ID number)."""
    try:
        number = parse_resident_id(id_number).number
    except InvalidIdentifier as exc:
        raise ValidationFailed(exc.reason, field="id_number") from exc
    stmt = select(Graduate.id).where(Graduate.id_number_bidx == pii.blind_index(pii.PiiKind.ID_NUMBER, number))
    found = session.scalar(scoped(stmt, principal, org=Graduate.org_unit_id, graduate=Graduate.id, session=session))
    if found is None:
        raise ValidationFailed("档案中没有该身份证号的学生（或不在您的管辖范围内）", field="id_number")
    return int(found)


def students_named(session: Session, ids: Iterable[int]) -> dict[int, Graduate]:
    """The students of allocations already reached (names, schools) keyed by id."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {g.id: g for g in (session.get(Graduate, i) for i in wanted) if g is not None}
