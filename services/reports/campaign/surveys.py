"""The 7月14日 摸排 per county: the aid need by family kind and education category (the figures of 附件7) and the
employment need of its graduates, filled in by the county's union clerk and handed in to the city.

Keyword-only functions taking a session; they flush, never commit.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.db import utcnow
from services.errors import FieldError, NotFound, ValidationFailed
from services.orgs.models import OrgUnit
from services.reports.campaign import filing
from services.reports.campaign_models import CountySurvey, FilingStatus
from services.reports.columns import AID_CATEGORIES
from services.reports.tables import COUNTY_KINDS
from services.security.principal import Principal
from services.security.scope import scoped

WHAT = "摸排"
FAMILY_KINDS: tuple[tuple[str, str], ...] = (("archived", "建档困难职工家庭"), ("nonarchived", "非建档困难职工家庭"))
PERSON_KEYS: tuple[str, ...] = tuple(f"{p}_{c}" for p, _ in FAMILY_KINDS for c, _ in AID_CATEGORIES)
EMPLOYMENT_NEEDS: tuple[tuple[str, str], ...] = (
    ("job_seekers", "有就业援助需求的毕业生"),
    ("internship_need", "其中需要见习岗位"),
    ("training_need", "其中需要技能培训"),
    ("entrepreneurship_need", "其中有创业意愿"),
)
MAX_PERSONS = 1_000_000
MAX_AMOUNT = Decimal("9999999999.99")
MAX_NOTE = 2000
_CATEGORY_NAMES = dict(AID_CATEGORIES)
_FAMILY_NAMES = dict(FAMILY_KINDS)


def person_label(key: str) -> str:
    prefix, category = key.split("_", 1)
    return f"{_FAMILY_NAMES[prefix]}·{_CATEGORY_NAMES[category]}"


@dataclass(slots=True)
class SurveyFigures:
    """What a clerk enters: persons per family kind and category, the amount per family kind, employment need
    (numbers, or the text of a form's fields)."""

    aid_persons: Mapping[str, int | str] = field(default_factory=dict)
    archived_amount: Decimal | str = Decimal("0.00")
    nonarchived_amount: Decimal | str = Decimal("0.00")
    job_seekers: int | str = 0
    internship_need: int | str = 0
    training_need: int | str = 0
    entrepreneurship_need: int | str = 0
    note: str = ""


def _amount(value: Decimal | str, name: str, errors: list[FieldError]) -> Decimal:
    try:
        amount = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        errors.append(FieldError(field=name, reason="应为金额数字，如 12000 或 12000.50"))
        return Decimal("0.00")
    if not amount.is_finite() or amount < 0:
        errors.append(FieldError(field=name, reason="金额不能为负数"))
    elif amount != amount.quantize(Decimal("0.01")):
        errors.append(FieldError(field=name, reason="金额最多保留两位小数"))
    elif amount > MAX_AMOUNT:
        errors.append(FieldError(field=name, reason="金额过大，请核对"))
    else:
        return amount.quantize(Decimal("0.01"))
    return Decimal("0.00")


def _persons(value: object, name: str, label: str, errors: list[FieldError]) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        try:
            value = int(str(value).strip() or "0")
        except ValueError:
            errors.append(FieldError(field=name, reason=f"“{label}”应为整数人数"))
            return 0
    if value < 0:
        errors.append(FieldError(field=name, reason=f"“{label}”不能为负数"))
    elif value > MAX_PERSONS:
        errors.append(FieldError(field=name, reason=f"“{label}”人数过大，请核对"))
    else:
        return value
    return 0


def check_figures(figures: SurveyFigures) -> SurveyFigures:
    """The figures as stored, or every field's reason at once. Unknown category keys are refused; an amount without
    any person (or persons without an amount) in the same family kind is refused too; the employment breakdown
    cannot exceed the graduates with a need."""
    errors: list[FieldError] = []
    for key in figures.aid_persons:
        if key not in PERSON_KEYS:
            errors.append(FieldError(field=key, reason=f"没有名为“{key}”的需求类别"))
    persons = {k: _persons(figures.aid_persons.get(k, 0), k, person_label(k), errors) for k in PERSON_KEYS}
    amounts = {p: _amount(getattr(figures, f"{p}_amount"), f"{p}_amount", errors) for p, _ in FAMILY_KINDS}
    needs = {k: _persons(getattr(figures, k), k, label, errors) for k, label in EMPLOYMENT_NEEDS}
    for prefix, name in FAMILY_KINDS:
        count = sum(v for k, v in persons.items() if k.startswith(f"{prefix}_"))
        if amounts[prefix] > 0 and count == 0:
            errors.append(FieldError(field=f"{prefix}_amount", reason=f"填写了{name}的需求金额，但没有需求人数"))
        if count > 0 and amounts[prefix] == 0:
            errors.append(FieldError(field=f"{prefix}_amount", reason=f"{name}有{count}人有需求，请填写需求金额"))
    for key, label in EMPLOYMENT_NEEDS[1:]:
        if needs[key] > needs["job_seekers"]:
            errors.append(FieldError(field=key, reason=f"“{label}”不能多于有就业援助需求的毕业生人数"))
    note = figures.note.strip()
    if len(note) > MAX_NOTE:
        errors.append(FieldError(field="note", reason=f"填报说明最多{MAX_NOTE}字"))
    if errors:
        raise ValidationFailed(f"摸排数据有{len(errors)}处需要修改", errors=errors)
    return SurveyFigures(
        aid_persons=persons,
        archived_amount=amounts["archived"],
        nonarchived_amount=amounts["nonarchived"],
        note=note,
        **needs,
    )


def county_unit(session: Session, *, principal: Principal, county_id: int) -> OrgUnit:
    """A county-level unit (county, park, 市直) inside the principal's scope."""
    unit = session.get(OrgUnit, county_id)
    if unit is None or unit.kind not in COUNTY_KINDS:
        filing.require_staff(principal)
        raise NotFound("县区不存在或不在您的管辖范围内")
    filing.require_visible(principal, unit.id, "县区")
    return unit


def _check_year(year: int) -> int:
    if not 2000 <= year <= 2100:
        raise ValidationFailed("年度应在2000至2100之间", field="year")
    return year


def find(session: Session, *, principal: Principal, county_id: int, year: int) -> CountySurvey | None:
    county_unit(session, principal=principal, county_id=county_id)
    stmt = scoped(select(CountySurvey), principal, org=CountySurvey.org_unit_id)
    return session.scalar(stmt.where(CountySurvey.org_unit_id == county_id, CountySurvey.year == _check_year(year)))


def get(session: Session, *, principal: Principal, survey_id: int) -> CountySurvey:
    filing.require_staff(principal)
    stmt = scoped(select(CountySurvey), principal, org=CountySurvey.org_unit_id)
    row = session.scalar(stmt.where(CountySurvey.id == survey_id))
    if row is None:
        raise NotFound("摸排不存在或不在您的管辖范围内")
    return row


def save(session: Session, *, principal: Principal, county_id: int, year: int, figures: SurveyFigures) -> CountySurvey:
    """Create or overwrite the county's draft (or sent-back) survey for ``year``."""
    unit = county_unit(session, principal=principal, county_id=county_id)
    filing.require_writer(principal, unit.id, what=WHAT)
    checked = check_figures(figures)
    row = find(session, principal=principal, county_id=unit.id, year=year)
    if row is None:
        row = CountySurvey(org_unit_id=unit.id, year=year, status=FilingStatus.DRAFT, created_by_id=principal.user_id)
        session.add(row)
    else:
        filing.require_editable(row.status, what=WHAT)
    row.aid_persons = {k: int(v) for k, v in checked.aid_persons.items()}
    row.archived_amount, row.nonarchived_amount = Decimal(checked.archived_amount), Decimal(checked.nonarchived_amount)
    row.job_seekers, row.internship_need = int(checked.job_seekers), int(checked.internship_need)
    row.training_need, row.entrepreneurship_need = int(checked.training_need), int(checked.entrepreneurship_need)
    row.note = checked.note
    session.flush()
    return row


def submit(session: Session, *, principal: Principal, survey_id: int) -> CountySurvey:
    row = get(session, principal=principal, survey_id=survey_id)
    filing.require_writer(principal, row.org_unit_id, what=WHAT)
    row.submitted_at = filing.submitted(row.status, what=WHAT)
    row.status, row.submitted_by_id, row.return_reason = FilingStatus.SUBMITTED, principal.user_id, None
    session.flush()
    return row


def send_back(session: Session, *, principal: Principal, survey_id: int, reason: str) -> CountySurvey:
    row = get(session, principal=principal, survey_id=survey_id)
    row.return_reason = filing.check_return(principal, row.status, reason, what=WHAT)
    row.status, row.returned_at = FilingStatus.RETURNED, utcnow()
    session.flush()
    return row


@dataclass(slots=True)
class CountyLine:
    county: OrgUnit
    survey: CountySurvey | None

    def persons(self, prefix: str) -> int:
        """The survey's persons of one family kind (archived / nonarchived), all categories."""
        if self.survey is None:
            return 0
        return sum(int(n) for k, n in self.survey.aid_persons.items() if k.startswith(f"{prefix}_"))


def overview(session: Session, *, principal: Principal, year: int) -> list[CountyLine]:
    """Every county of the principal's scope with its survey of ``year`` (None when not started)."""
    filing.require_staff(principal)
    counties = scoped(select(OrgUnit), principal, org=OrgUnit.id)
    counties = counties.where(OrgUnit.kind.in_(sorted(COUNTY_KINDS))).order_by(OrgUnit.path)
    stmt = scoped(select(CountySurvey), principal, org=CountySurvey.org_unit_id)
    by_county = {s.org_unit_id: s for s in session.scalars(stmt.where(CountySurvey.year == _check_year(year)))}
    return [CountyLine(u, by_county.get(u.id)) for u in session.scalars(counties)]


def submitted_counties(session: Session, *, year: int) -> frozenset[int]:
    """The counties that have handed in their survey of ``year`` (the deadline reminders skip their clerks)."""
    stmt = select(CountySurvey.org_unit_id).where(
        CountySurvey.year == year, CountySurvey.status == FilingStatus.SUBMITTED
    )
    return frozenset(int(o) for o in session.scalars(stmt))
