"""National student aid (奖、助、贷、勤、减、免) a student received, and the hardship students and graduates of a
counselor's scope who are in none of it (§三(四): 确保将符合条件的困难职工家庭子女纳入国家助学体系)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid.guards import CENT, covers_or_404, money
from services.aid.policies import require_reader
from services.aid.policy_models import NationalAid, NationalAidKind
from services.errors import FieldError, NotFound, ValidationFailed
from services.orgs import service as orgs
from services.registry import api as registry
from services.security.principal import Principal
from services.security.roles import UNION_SIDE
from services.security.scope import scoped


@dataclass(frozen=True, slots=True)
class NationalAidInput:
    student_id: int
    kind: str
    year: int
    amount: Decimal
    source: str
    note: str | None = None


def _problems(data: NationalAidInput) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    if data.kind not in {k.value for k in NationalAidKind}:
        out.append(("kind", f"资助类型“{data.kind}”无效，应为 奖、助、贷、勤、减、免 之一"))
    if not 2000 <= data.year <= 2100:
        out.append(("year", "学年应为 2000–2100 之间的起始年份"))
    if data.amount < 0 or data.amount != data.amount.quantize(CENT):
        out.append(("amount", "金额须为非负数，最多两位小数"))
    if not data.source.strip():
        out.append(("source", "请填写资助来源（如 国家助学金、生源地信用助学贷款）"))
    return out


def _upsert(session: Session, *, principal: Principal, data: NationalAidInput, org_unit_id: int) -> NationalAid:
    stmt = select(NationalAid).where(
        NationalAid.student_id == data.student_id,
        NationalAid.kind == data.kind,
        NationalAid.year == data.year,
        NationalAid.source == data.source.strip(),
    )
    row = session.scalar(scoped(stmt, principal, org=NationalAid.org_unit_id))
    if row is None:
        row = NationalAid(
            student_id=data.student_id,
            org_unit_id=org_unit_id,
            county_org_id=orgs.county_of(session, org_unit_id=org_unit_id).id,
            kind=data.kind,
            year=data.year,
            source=data.source.strip(),
            amount=money(data.amount),
            note=(data.note or "").strip() or None,
            recorded_by=principal.user_id,
        )
        session.add(row)
    else:
        row.amount, row.note, row.recorded_by = money(data.amount), (data.note or "").strip() or None, principal.user_id
    session.flush()
    return row


def _org_of(session: Session, principal: Principal, student_id: int) -> int:
    found = registry.graduate_profiles(session, scope=None, ids=[student_id], limit=1)
    if not found:
        raise NotFound(f"学生/毕业生档案 {student_id} 不存在")
    covers_or_404(principal, found[0].org_unit_id, "学生/毕业生档案")
    return found[0].org_unit_id


def record_national_aid(session: Session, *, principal: Principal, data: NationalAidInput) -> NationalAid:
    """Enter one national aid a student received (clerks and counselors); the same kind, year and source again
    updates the amount rather than adding a second row."""
    require_reader(principal)
    problems = _problems(data)
    if problems:
        raise ValidationFailed(problems[0][1], field=problems[0][0])
    org = _org_of(session, principal, data.student_id)
    return _upsert(session, principal=principal, data=data, org_unit_id=org)


@dataclass(frozen=True, slots=True)
class ImportAnswer:
    created: int
    updated: int


def import_national_aid(session: Session, *, principal: Principal, rows: list[NationalAidInput]) -> ImportAnswer:
    """Import many rows at once: every bad row is reported (``rows[i].field``) and nothing is stored, or all are;
    the same rows twice change nothing."""
    require_reader(principal)
    errors: list[FieldError] = []
    unreachable: list[FieldError] = []
    orgs_of: dict[int, int] = {}
    for i, data in enumerate(rows):
        for field_name, reason in _problems(data):
            errors.append(FieldError(field=f"rows[{i}].{field_name}", reason=f"第{i + 1}行：{reason}"))
        if data.student_id not in orgs_of:
            try:
                orgs_of[data.student_id] = _org_of(session, principal, data.student_id)
            except NotFound:
                unreachable.append(
                    FieldError(field=f"rows[{i}].student_id", reason=f"第{i + 1}行：学生档案不存在或不在管辖范围内")
                )
    if unreachable:
        raise NotFound(f"{len(unreachable)} 行的学生档案不存在或不在您的管辖范围内，未导入任何记录", errors=unreachable)
    if errors:
        raise ValidationFailed(f"{len(errors)} 处错误，未导入任何记录", errors=errors[:200])
    before = {
        r.id
        for r in session.scalars(
            scoped(
                select(NationalAid).where(NationalAid.student_id.in_(sorted(orgs_of))),
                principal,
                org=NationalAid.org_unit_id,
            )
        )
    }
    stored = [_upsert(session, principal=principal, data=d, org_unit_id=orgs_of[d.student_id]) for d in rows]
    created = len({r.id for r in stored} - before)
    return ImportAnswer(created=created, updated=len({r.id for r in stored}) - created)


def national_aid_of(session: Session, *, principal: Principal, student_id: int) -> list[NationalAid]:
    require_reader(principal)
    _org_of(session, principal, student_id)
    stmt = (
        select(NationalAid)
        .where(NationalAid.student_id == student_id)
        .order_by(NationalAid.year.desc(), NationalAid.kind)
    )
    return list(
        session.scalars(
            scoped(stmt, principal, org=NationalAid.org_unit_id, graduate=NationalAid.student_id, session=session)
        )
    )


@dataclass(frozen=True, slots=True)
class NotEnrolled:
    """A hardship student or graduate of the scope with no national aid on record (for the year, when given)."""

    student_id: int
    name: str
    stage: str
    school_name: str
    cohort: int | None
    org_unit_id: int


def not_enrolled(
    session: Session, *, principal: Principal, year: int | None = None, limit: int = 200
) -> list[NotEnrolled]:
    """Students and graduates of archived hardship families in the principal's scope who receive none of 奖、助、贷、
    勤、减、免 (in ``year``, when given): whom the counselor should bring into the national aid system. At most
    ``limit`` people, by registry id."""
    require_reader(principal)
    if principal.role not in UNION_SIDE:  # pragma: no cover - require_reader refused already
        return []
    stmt = select(NationalAid.student_id)
    if year is not None:
        stmt = stmt.where(NationalAid.year == year)
    enrolled = set(session.scalars(scoped(stmt, principal, org=NationalAid.org_unit_id)))
    out: list[NotEnrolled] = []
    after = 0
    while len(out) < limit:
        page = registry.graduate_profiles(session, scope=principal.scope, after_id=after, limit=1000)
        if not page:
            break
        after = page[-1].id
        out.extend(
            NotEnrolled(p.id, _name(session, p.id), p.stage, p.school_name, p.cohort, p.org_unit_id)
            for p in page
            if p.hardship_family and p.id not in enrolled
        )
    return out[:limit]


def _name(session: Session, student_id: int) -> str:
    return registry.aid_student(session, student_id=student_id).name
