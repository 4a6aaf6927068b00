"""What a donor is shown of their fund (who received what, masked; totals; balance) as a page and an xlsx, and the
import of a donor's allocation list (身份证号, 金额, 备注) — each row through :func:`donations.allocate`."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid import donations
from services.aid.donation_models import DONOR_KIND_NAMES, AidDonationAllocation, AidDonationFund, AllocationStatus
from services.aid.models import AidAward, AwardStatus
from services.errors import DomainError, FieldError, ValidationFailed
from services.refdata.api import vocabularies
from services.security import audit
from services.security.principal import Principal

AWARD_STATE = {
    AwardStatus.APPROVED: "待公示",
    AwardStatus.NOTICED: "公示中",
    AwardStatus.PAYING: "付款中",
    AwardStatus.PAID: "已到账",
    AwardStatus.REVOKED: "已撤销",
}
MAX_ROWS = 2000


def mask_name(name: str) -> str:
    """张三 → 张*, 欧阳小明 → 欧**明: the family name and, for longer names, the last character."""
    name = name.strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@dataclass(frozen=True, slots=True)
class ReportLine:
    allocation_id: int
    name_masked: str
    id_masked: str
    county: str
    school: str
    education: str
    amount: Decimal
    allocated_at: datetime
    state: str  # 已安排 / 已撤回 / the linked award's payment state


@dataclass(slots=True)
class FundReport:
    fund: AidDonationFund
    donor_kind: str
    conditions: list[str]
    lines: list[ReportLine] = field(default_factory=list)
    recipients: int = 0
    allocated: Decimal = Decimal("0.00")
    paid: Decimal = Decimal("0.00")

    @property
    def balance(self) -> Decimal:
        return self.fund.received - self.fund.allocated


def fund_report(session: Session, *, principal: Principal, fund_id: int) -> FundReport:
    """The donor's report: every live allocation with the student masked, totals, paid and the balance."""
    fund = donations.get_fund(session, principal=principal, fund_id=fund_id)
    rows = [a for a in donations.allocations_of(session, fund=fund) if a.status == AllocationStatus.ALLOCATED]
    students = donations.students_named(session, (a.student_id for a in rows))
    vocab = vocabularies(session)
    report = FundReport(
        fund=fund,
        donor_kind=DONOR_KIND_NAMES.get(fund.donor_kind, fund.donor_kind),  # type: ignore[call-overload]
        conditions=donations.describe(session, fund),
    )
    for a in rows:
        student = students[a.student_id]
        award = session.get(AidAward, a.award_id) if a.award_id is not None else None
        state = AWARD_STATE.get(AwardStatus(award.status), award.status) if award else "已安排"
        if award is not None and award.status == AwardStatus.PAID:
            report.paid += a.amount
        report.lines.append(
            ReportLine(
                allocation_id=a.id,
                name_masked=mask_name(student.name),
                id_masked=student.id_number_masked,
                county=donations.place_name(session, a.county_org_id),
                school=student.school_name,
                education=vocab["education"].names.get(student.education, student.education),
                amount=a.amount,
                allocated_at=a.allocated_at,
                state=state,
            )
        )
        report.allocated += a.amount
    report.recipients = len({a.student_id for a in rows})
    return report


def report_xlsx(session: Session, *, principal: Principal, report: FundReport) -> bytes:
    """The donor's report as a workbook a clerk can hand over (names and ID numbers masked); the export is audited."""
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "捐款使用情况"
    f = report.fund
    ws.append([f"{f.year}年度 {f.name} 使用情况报告"])
    ws.append(["捐赠方", f.donor_name, "捐赠方类型", report.donor_kind])
    ws.append(["认捐金额（元）", float(f.pledged), "到账金额（元）", float(f.received)])
    ws.append(["已安排（元）", float(report.allocated), "已到账发放（元）", float(report.paid)])
    ws.append(["受助人数", report.recipients, "余额（元）", float(report.balance)])
    ws.append(["捐赠方意愿", "；".join(report.conditions) or "不限"])
    ws.append([])
    ws.append(["序号", "受助学生", "身份证号", "县区", "学校", "学历", "金额（元）", "安排日期", "发放情况"])
    for i, line in enumerate(report.lines, start=1):
        ws.append(
            [
                i,
                line.name_masked,
                line.id_masked,
                line.county,
                line.school,
                line.education,
                float(line.amount),
                line.allocated_at.date().isoformat(),
                line.state,
            ]
        )
    ws.append(["合计", "", "", "", "", "", float(report.allocated), "", ""])
    out = io.BytesIO()
    wb.save(out)
    audit.record(
        session,
        action="aid.donation.report_export",
        target_type="aid_donation_fund",
        target_id=f.id,
        principal=principal,
    )
    return out.getvalue()


# ---- import of a donor's allocation list ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    id_number: str
    amount: str
    note: str


@dataclass(slots=True)
class ImportResult:
    created: list[int] = field(default_factory=list)


HEADERS = {"身份证号": "id_number", "金额": "amount", "资助金额": "amount", "备注": "note"}


def read_rows(filename: str, content: bytes) -> list[ImportRow]:
    """The rows of a csv (UTF-8, with or without BOM) or xlsx sheet whose header names 身份证号 and 金额."""
    if filename.lower().endswith(".xlsx"):
        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a damaged file
            raise ValidationFailed("无法读取该 xlsx 文件，请确认文件未损坏", field="file") from exc
        ws = wb.active
        raw = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)] if ws else []
    elif filename.lower().endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ValidationFailed("csv 文件须为 UTF-8 编码", field="file") from exc
        raw = list(csv.reader(io.StringIO(text)))
    else:
        raise ValidationFailed("只接受 .xlsx 或 .csv 文件", field="file")
    if not raw:
        raise ValidationFailed("文件为空", field="file")
    header = [HEADERS.get(h.strip()) for h in raw[0]]
    if "id_number" not in header or "amount" not in header:
        raise ValidationFailed("表头须包含“身份证号”和“金额”两列", field="file")
    body = [r for r in raw[1:] if any(c.strip() for c in r)]
    if len(body) > MAX_ROWS:
        raise ValidationFailed(f"一次最多导入 {MAX_ROWS} 行", field="file")
    out = []
    for i, r in enumerate(raw[1:], start=2):
        if not any(c.strip() for c in r):
            continue
        cells = {header[j]: r[j].strip() for j in range(min(len(r), len(header))) if header[j]}
        out.append(ImportRow(i, cells.get("id_number", ""), cells.get("amount", ""), cells.get("note", "")))
    return out


def import_allocations(
    session: Session, *, principal: Principal, fund_id: int, filename: str, content: bytes
) -> ImportResult:
    """Every row or none: each is allocated through :func:`donations.allocate` (the same conditions, balance and
    lock as the API and the console); when any row is refused, nothing is kept and every row's reason is named
    (``第3行 …``)."""
    fund = donations.get_fund(session, principal=principal, fund_id=fund_id)
    rows = read_rows(filename, content)
    if not rows:
        raise ValidationFailed("文件中没有数据行", field="file")
    errors: list[FieldError] = []
    result = ImportResult()
    nested = session.begin_nested()
    for row in rows:
        try:
            amount = Decimal(row.amount)
        except InvalidOperation:
            errors.append(FieldError(field=f"rows.{row.line}.amount", reason=f"第{row.line}行：金额应为数字"))
            continue
        try:
            student_id = donations.find_student(session, principal=principal, id_number=row.id_number)
        except ValidationFailed as exc:
            errors.append(FieldError(field=f"rows.{row.line}.id_number", reason=f"第{row.line}行：{exc.detail}"))
            continue
        try:
            with session.begin_nested():
                made = donations.allocate(
                    session,
                    principal=principal,
                    fund_id=fund.id,
                    student_id=student_id,
                    amount=amount,
                    note=row.note or None,
                    source="import",
                )
            result.created.append(made.id)
        except DomainError as exc:
            errors.append(FieldError(field=f"rows.{row.line}", reason=f"第{row.line}行：{exc.detail}"))
    if errors:
        nested.rollback()
        session.refresh(fund)
        raise ValidationFailed(f"共 {len(errors)} 行未通过，未导入任何一行；{errors[0].reason}", errors=errors)
    nested.commit()
    return result


def allocations_total(session: Session, *, fund: AidDonationFund) -> Decimal:
    """The live allocations' sum of a fund already reached (equals ``fund.allocated``; the tests compare them)."""
    amounts = session.scalars(
        select(AidDonationAllocation.amount).where(
            AidDonationAllocation.fund_id == fund.id, AidDonationAllocation.status == AllocationStatus.ALLOCATED
        )
    )
    return sum(amounts, Decimal("0.00"))
