"""Builders for aid tests: registry families and students, a configured year with budgets, applications with
every attachment checked off, reviewed and noticed awards."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy.orm import Session
from stdnum import luhn
from stdnum.cn import ric

from services.aid import attachments as files
from services.aid import service
from services.aid.models import AidApplication, AidAward, AidNotice, FundSource
from services.orgs import service as orgs
from services.registry.models import Family, FamilyStatus, Graduate
from services.security import pii
from services.security.principal import Principal
from tests.conftest import World

_counter = itertools.count(1)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"
YEAR = 2023


def resident_id(n: int | None = None, *, birth: date = date(2005, 3, 1), region: str = "341622") -> str:
    n = next(_counter) if n is None else n
    body = f"{region}{(birth + timedelta(days=n % 300)):%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def bank_card(n: int | None = None) -> str:
    n = next(_counter) if n is None else n
    body = f"621700{n:012d}"
    return body + luhn.calc_check_digit(body)


def phone(n: int | None = None) -> str:
    n = next(_counter) if n is None else n
    return f"139{n % 100000000:08d}"


def principal(session: Session, world: World, key: str) -> Principal:
    role = world.roles[key]
    from services.security.models import User

    user = session.get(User, world.users[key])
    assert user is not None
    scope = None
    if role in {"union_county", "counselor"} and user.org_unit_id is not None:
        scope = orgs.subtree_ids(session, org_unit_id=user.org_unit_id)
    elif role not in {"union_city", "admin"}:
        scope = frozenset()
    return Principal(user_id=user.id, username=user.username, role=role, org_unit_id=user.org_unit_id, scope=scope)


@dataclass
class Seeded:
    """The plaintext personal values written for one student, to look for in outputs."""

    student_id: int
    student_no: str
    worker_no: str
    card: str
    phone: str
    address: str
    birth: date


def _sealed(kind: pii.PiiKind, value: str) -> tuple[str, str, str]:
    s = pii.seal(kind, value)
    return s.ciphertext, s.blind_index, s.masked


def make_family(
    session: Session,
    *,
    org_unit_id: int,
    archived: bool = True,
    worker_no: str | None = None,
    card: str | None = None,
    address: str = "蒙城县城关街道漆园路18号",
) -> Family:
    worker_no = worker_no or resident_id(birth=date(1978, 5, 6), region="110101")
    parsed = ric.get_birth_date(worker_no)
    text = pii.PiiKind.TEXT
    fam = Family(
        org_unit_id=org_unit_id,
        status=FamilyStatus.ACTIVE if archived else FamilyStatus.CLOSED,
        archive_no=f"BZ{next(_counter):06d}",
        hardship_category="1",
        archive_type="1",
        archive_standard="01",
        name="张建国",
        ethnicity="01",
        political_status="13",
        sex="男",
        birth_date=parsed,
        housing_type="1",
        model_worker_type="0",
        marital_status="20",
        medical_insurance="1",
        industry_code="C",
        family_size=3,
        household_division_code="341622",
        household_type="1",
        primary_cause="01",
        secondary_causes=[],
        filed_by="李娜",
        reviewed_by="王强",
        bank_name="中国建设银行",
        bank_branch="蒙城支行",
        attachments=[],
    )
    fam.id_number_enc, fam.id_number_bidx, fam.id_number_masked = _sealed(pii.PiiKind.ID_NUMBER, worker_no)
    fam.health_status_enc, fam.health_status_bidx, fam.health_status_masked = _sealed(text, "健康")
    fam.address_enc, fam.address_bidx, fam.address_masked = _sealed(text, address)
    for name in ("monthly_income", "other_annual_income", "annual_income", "per_capita_income"):
        enc, bidx, masked = _sealed(text, "1000.00")
        setattr(fam, f"{name}_enc", enc)
        setattr(fam, f"{name}_bidx", bidx)
        setattr(fam, f"{name}_masked", masked)
    fam.bank_card_enc, fam.bank_card_bidx, fam.bank_card_masked = _sealed(pii.PiiKind.BANK_CARD, card or bank_card())
    session.add(fam)
    session.flush()
    return fam


def make_student(
    session: Session,
    *,
    org_unit_id: int,
    family: Family | None,
    student_no: str | None = None,
    user_id: int | None = None,
    name: str = "张小明",
) -> Graduate:
    student_no = student_no or resident_id()
    grad = Graduate(
        org_unit_id=org_unit_id,
        user_id=user_id,
        family_id=family.id if family else None,
        stage="student",
        service_category="1" if family else "3",
        name=name,
        sex="男" if int(student_no[16]) % 2 else "女",
        birth_date=ric.get_birth_date(student_no),
        school_kind="07",
        school_name="安徽大学",
        education="21",
        intentions=[],
        preferred_places=[],
        skills=[],
    )
    grad.id_number_enc, grad.id_number_bidx, grad.id_number_masked = _sealed(pii.PiiKind.ID_NUMBER, student_no)
    session.add(grad)
    session.flush()
    return grad


def setup_year(session: Session, world: World, *, year: int = YEAR, budget: Decimal = Decimal("100000.00")) -> None:
    service.load_year(session, year=year)
    city = principal(session, world, "city")
    for county in ("BZ-MC", "BZ-GY"):
        for fund in FundSource:
            service.set_budget(
                session,
                principal=city,
                county_org_id=world.orgs[county],
                year=year,
                fund_source=fund,
                amount=budget,
            )


def seeded_student(
    session: Session, world: World, *, side: str = "a", archived: bool = True, user_key: str | None = None
) -> tuple[Graduate, Seeded]:
    org = world.orgs["BZ-MC-01" if side == "a" else "BZ-GY-01"]
    worker_no = resident_id(birth=date(1976, 8, 9), region="110101")
    card = bank_card()
    address = f"蒙城县漆园街道幸福路{next(_counter)}号"
    fam = make_family(session, org_unit_id=org, archived=archived, worker_no=worker_no, card=card, address=address)
    student_no = resident_id()
    grad = make_student(
        session,
        org_unit_id=org,
        family=fam,
        student_no=student_no,
        user_id=world.users[user_key] if user_key else None,
    )
    return grad, Seeded(
        student_id=grad.id,
        student_no=student_no,
        worker_no=worker_no,
        card=card,
        phone=phone(),
        address=address,
        birth=ric.get_birth_date(student_no),
    )


def application_input(
    seeded: Seeded,
    *,
    kind: str = "new_enrolment",
    standard_code: str = "archived_new_enrolment",
    stage: str = "college",
    year: int = YEAR,
    tuition: Decimal | None = None,
    requested: Decimal | None = None,
    with_card: bool = True,
) -> service.ApplicationInput:
    sex = "男" if int(seeded.student_no[16]) % 2 else "女"
    return service.ApplicationInput(
        kind=kind,
        year=year,
        student_id=seeded.student_id,
        standard_code=standard_code,
        education_stage=stage,
        student_name="张小明",
        student_id_number=seeded.student_no,
        home_address=seeded.address,
        school_name="安徽大学",
        enrolment_date=date(year, 9, 1) if kind == "new_enrolment" else date(year - 1, 9, 1),
        length_of_study=4,
        reason="父亲患病，家庭收入低，无力承担学费",
        hardship_reason="因病致困",
        payee_name="张建国" if with_card else None,
        payee_bank="中国建设银行蒙城支行" if with_card else None,
        payee_card=seeded.card if with_card else None,
        major="软件工程",
        school_kind="07" if kind == "new_enrolment" else None,
        worker_name="张建国" if kind == "new_enrolment" else None,
        worker_employer="蒙城县某纺织厂" if kind == "new_enrolment" else None,
        worker_id_number=seeded.worker_no if kind == "new_enrolment" else None,
        sex=sex if kind == "in_school" else None,
        ethnicity="汉族" if kind == "in_school" else None,
        birth_date=seeded.birth if kind == "in_school" else None,
        tuition_invoice_amount=tuition,
        requested_amount=requested,
        members=[service.MemberInput(relation="父亲", name="张建国", employer="蒙城县某纺织厂", phone=seeded.phone)],
    )


def attach_all(session: Session, staff: Principal, app: AidApplication) -> None:
    for kind in files.REQUIRED[app.kind]:
        row = service.upload_attachment(
            session, principal=staff, application_id=app.id, kind=kind, filename=f"{kind}.png", content=PNG
        )
        service.check_attachment(session, principal=staff, attachment_id=row.id)


def approved_award(
    session: Session,
    world: World,
    *,
    side: str = "a",
    archived: bool = True,
    amount: Decimal | None = Decimal("1500.00"),
    seeded: Seeded | None = None,
) -> tuple[AidAward, Seeded]:
    if seeded is None:
        _, seeded = seeded_student(session, world, side=side, archived=archived)
    county = principal(session, world, "county_a" if side == "a" else "county_b")
    city = principal(session, world, "city")
    code = "archived_new_enrolment" if archived else "nonarchived_college"
    app = service.submit_application(session, principal=county, data=application_input(seeded, standard_code=code))
    attach_all(session, county, app)
    service.review(
        session,
        principal=county,
        application_id=app.id,
        stage="grassroots",
        decision="approve",
        opinion="情况属实，同意上报",
    )
    service.review(
        session,
        principal=city,
        application_id=app.id,
        stage="centre",
        decision="approve",
        opinion="同意资助",
        amount=amount,
    )
    award = service.award_of(session, application=app)
    assert award is not None
    return award, seeded


def noticed(
    session: Session, world: World, awards: list[AidAward], *, starts_on: date = date(2023, 9, 25), side: str = "a"
) -> AidNotice:
    county = principal(session, world, "county_a" if side == "a" else "county_b")
    return service.publish_notice(
        session,
        principal=county,
        org_unit_id=world.orgs["BZ-MC" if side == "a" else "BZ-GY"],
        award_ids=[a.id for a in awards],
        supervision_phone="0558-3032682",
        starts_on=starts_on,
        today=starts_on,
    )
