"""Builders for matching tests: hardship families, graduates with intentions and places, positions of verified
employers (the catalog version is bumped as the catalog service does on every change)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session
from stdnum.cn import ric

from services.catalog import service as catalog
from services.catalog.models import Employer, Position
from services.registry.models import Family, FamilyMember, Graduate
from services.security import pii
from tests.catalog import factories as catalog_factories
from tests.catalog.factories import make_rule_set
from tests.conftest import GRASSROOTS, World

_seq = itertools.count(1)

SOFTWARE = ("510203", "软件技术")  # 高职专科, 计算机类 5102
NURSING = ("520201", "护理")


def id_number(birth: date = date(2001, 5, 1)) -> str:
    n = next(_seq)
    body = f"341622{birth:%Y%m%d}{n % 1000:03d}"
    return body + ric.calc_check_digit(body)


def _sealed(kind: pii.PiiKind, value: str) -> dict[str, str]:
    s = pii.seal(kind, value)
    return {"enc": s.ciphertext, "bidx": s.blind_index, "masked": s.masked}


def _seal_into(values: dict[str, Any], name: str, kind: pii.PiiKind, value: str) -> None:
    for suffix, v in _sealed(kind, value).items():
        values[f"{name}_{suffix}"] = v


def make_family(session: Session, world: World, *, side: str = "a") -> Family:
    """An archived (active) hardship family with every protected attribute filled, and one member."""
    n = next(_seq)
    values: dict[str, Any] = {
        "org_unit_id": world.orgs[GRASSROOTS[side]],
        "archive_no": f"MC{n:06d}",
        "hardship_category": "1",
        "archive_type": "1",
        "archive_standard": "1",
        "name": f"家长{n}",
        "ethnicity": "01",
        "political_status": "13",
        "sex": "男",
        "birth_date": date(1972, 3, 1),
        "housing_type": "1",
        "model_worker_type": "0",
        "marital_status": "20",
        "medical_insurance": "1",
        "industry_code": "C",
        "family_size": 3,
        "household_division_code": "341622",
        "household_type": "1",
        "primary_cause": "01",
        "secondary_causes": [],
        "attachments": [],
        "filed_by": "刘科长",
        "reviewed_by": "张主任",
    }
    _seal_into(values, "id_number", pii.PiiKind.ID_NUMBER, id_number(date(1972, 3, 1)))
    for name, text in (
        ("health_status", "健康"),
        ("address", "蒙城县城关镇幸福路1号"),
        ("monthly_income", "1800.00"),
        ("other_annual_income", "0.00"),
        ("annual_income", "21600.00"),
        ("per_capita_income", "600.00"),
    ):
        _seal_into(values, name, pii.PiiKind.TEXT, text)
    family = Family(**values)
    session.add(family)
    session.flush()
    member: dict[str, Any] = {
        "family_id": family.id,
        "org_unit_id": family.org_unit_id,
        "name": f"配偶{n}",
        "relation": "10",
        "ethnicity": "01",
        "sex": "女",
        "birth_date": date(1974, 6, 1),
        "political_status": "13",
        "model_worker_type": "0",
        "medical_insurance": "1",
        "marital_status": "20",
        "household_type": "1",
        "identity": "1",
    }
    _seal_into(member, "id_number", pii.PiiKind.ID_NUMBER, id_number(date(1974, 6, 1)))
    _seal_into(member, "monthly_income", pii.PiiKind.TEXT, "0.00")
    _seal_into(member, "health_status", pii.PiiKind.TEXT, "健康")
    session.add(FamilyMember(**member))
    session.flush()
    return family


def make_graduate(
    session: Session,
    world: World,
    *,
    side: str = "a",
    major: tuple[str, str] = SOFTWARE,
    family: Family | None = None,
    user_id: int | None = None,
    **fields: Any,
) -> Graduate:
    """A 2024 高职 graduate of county ``side`` who wants a job near home; ``fields`` override any column."""
    n = next(_seq)
    birth = fields.pop("birth_date", date(2002, 5, 1))
    values: dict[str, Any] = {
        "org_unit_id": world.orgs[GRASSROOTS[side]],
        "user_id": user_id,
        "family_id": family.id if family else None,
        "stage": "graduate",
        "service_category": "5",
        "name": f"毕业生{n}",
        "sex": "男" if n % 2 else "女",
        "birth_date": birth,
        "ethnicity": "01",
        "school_kind": "2",
        "school_name": "亳州职业技术学院",
        "major_raw": major[1],
        "major_code": major[0],
        "major_name": major[1],
        "education": "31",
        "cohort": 2024,
        "employment_status": "unemployed",
        "intentions": ["job", "internship"],
        "preferred_places": ["341622" if side == "a" else "341621"],
        "home_division_code": "341622" if side == "a" else "341621",
        "expected_pay_min": Decimal("4000.00"),
        "skills": ["Java", "MySQL"],
        "enterprise_visible": False,
    }
    _seal_into(values, "id_number", pii.PiiKind.ID_NUMBER, id_number(birth))
    _seal_into(values, "phone", pii.PiiKind.PHONE, f"139{n:08d}")
    values.update(fields)
    graduate = Graduate(**values)
    session.add(graduate)
    session.flush()
    return graduate


def make_employer(session: Session, world: World, *, side: str = "a", account: str | None = None) -> Employer:
    employer = catalog_factories.make_employer(session, world, side=side, account=account)
    catalog.bump_version(session)
    return employer


def make_position(
    session: Session, world: World, *, employer: Employer | None = None, side: str = "a", **fields: Any
) -> Position:
    """An open job for 高职 graduates in county ``side`` (catalog version bumped)."""
    values: dict[str, Any] = {
        "title": "Java开发工程师",
        "description": "负责工会服务平台的Java后端开发与维护",
        "min_education": "junior_college",
        "opens_on": date.today() - timedelta(days=2),
    }
    values.update(fields)
    position = catalog_factories.make_position(session, world, employer=employer, side=side, **values)
    catalog.bump_version(session)
    return position


def perturb_protected(session: Session, *, seed: int) -> int:
    """Change ethnicity, sex, political status, health and disability, marital status and household type of
    every graduate, family and member in the database. Returns the rows changed."""
    variants = ["02", "03", "04", "05"]
    changed = 0
    for g in session.query(Graduate):
        g.sex = "女" if g.sex == "男" else "男"
        g.ethnicity = variants[(g.id + seed) % len(variants)]
        changed += 1
    for f in session.query(Family):
        f.sex = "女" if f.sex == "男" else "男"
        f.ethnicity = variants[(f.id + seed) % len(variants)]
        f.political_status = "01" if seed % 2 else "03"
        f.marital_status = "40" if seed % 2 else "10"
        f.household_type = "2" if seed % 2 else "3"
        _set_sealed(f, "health_status", "患病" if seed % 2 else "残疾")
        _set_sealed(f, "disability", "肢体残疾")
        changed += 1
    for m in session.query(FamilyMember):
        m.sex = "女" if m.sex == "男" else "男"
        m.ethnicity = variants[(m.id + seed) % len(variants)]
        m.political_status = "01"
        m.marital_status = "40"
        m.household_type = "2"
        _set_sealed(m, "health_status", "患病")
        _set_sealed(m, "disability", "视力残疾")
        changed += 1
    session.flush()
    return changed


def _set_sealed(obj: Any, name: str, value: str) -> None:
    for suffix, v in _sealed(pii.PiiKind.TEXT, value).items():
        setattr(obj, f"{name}_{suffix}", v)


@dataclass(frozen=True)
class Built:
    graduates: list[Graduate]
    software_position_id: int


def build_world(session: Session, world: World) -> Built:
    """Twelve graduates of both counties (some from hardship families, some nurses, a student, one wanting
    internships only) and positions of every kind, some with hardship priority or program rules."""
    a, b = make_employer(session, world), make_employer(session, world, side="b")
    software = make_position(session, world, employer=a, major_classes=["5102"], hardship_priority=True)
    make_position(session, world, employer=a, title="护士", description="病房护理", majors=[NURSING[0]])
    make_position(session, world, employer=b, side="b", title="软件测试工程师")
    make_position(session, world, employer=a, kind="internship", title="前端开发见习", subsidy=2000)
    rule = make_rule_set(session, year=2026)
    make_position(
        session, world, kind="grassroots", title="三支一扶·社区服务", rule_set_id=rule.id, program="sanzhi_yifu"
    )
    make_position(session, world, employer=None, kind="work_study", title="图书馆勤工助学", min_education="secondary")
    make_position(
        session, world, employer=a, kind="entrepreneurship", title="大学生创业孵化", pay_min=None, pay_max=None
    )
    make_position(session, world, employer=b, side="b", title="医院护理", majors=[NURSING[0]], hardship_priority=True)
    graduates = []
    for i in range(12):
        side = "a" if i % 3 else "b"
        family = make_family(session, world, side=side) if i % 2 else None
        fields: dict[str, Any] = {}
        if i % 4 == 0:
            fields["major"] = NURSING
            fields["skills"] = ["护理", "急救"]
        if i == 5:
            fields.update(stage="student", cohort=None)
        if i == 7:
            fields["intentions"] = ["internship"]
        graduates.append(make_graduate(session, world, side=side, family=family, **fields))
    session.commit()
    return Built(graduates, software.id)
