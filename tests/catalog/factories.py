"""Builders for catalog tests: a few reference rows, employers, positions, rule sets and fairs."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum.cn import uscc

from matching import fuzzy
from services.catalog import service
from services.catalog.models import (
    Employer,
    EmployerAccount,
    EmployerStatus,
    JobFair,
    Position,
    PositionStatus,
    ProgramRuleSet,
)
from services.catalog.schemas import RuleSetCreate
from services.refdata.models import RefDivision, RefIndustry, RefMajor, RefMajorCodeChange
from services.security import service as security
from services.security.principal import Principal
from tests.conftest import COUNTY, World

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_counter = itertools.count(1)

DIVISIONS = [
    ("340000", "安徽省", "province", None, "安徽省"),
    ("341600", "亳州市", "prefecture", "340000", "安徽省亳州市"),
    ("341602", "谯城区", "county", "341600", "安徽省亳州市谯城区"),
    ("341621", "涡阳县", "county", "341600", "安徽省亳州市涡阳县"),
    ("341622", "蒙城县", "county", "341600", "安徽省亳州市蒙城县"),
    ("110000", "北京市", "province", None, "北京市"),
    ("110101", "东城区", "county", "110000", "北京市东城区"),
]
INDUSTRIES = [
    ("C", 1, "门类", "制造业", "C", None),
    ("27", 2, "大类", "医药制造业", "C", "C"),
    ("272", 3, "中类", "化学药品制剂制造", "C", "27"),
    ("2720", 4, "小类", "化学药品制剂制造", "C", "272"),
    ("I", 1, "门类", "信息传输、软件和信息技术服务业", "I", None),
    ("6513", 4, "小类", "应用软件开发", "I", "651"),
]
MAJORS = [
    ("080901", "计算机科学与技术", "本科", "0809", "计算机类", "08", "工学"),
    ("080902", "软件工程", "本科", "0809", "计算机类", "08", "工学"),
    ("120203K", "会计学", "本科", "1202", "工商管理类", "12", "管理学"),
    ("100701", "药学", "本科", "1007", "药学类", "10", "医学"),
    ("100201K", "临床医学", "本科", "1002", "临床医学类", "10", "医学"),
    ("040107", "小学教育", "本科", "0401", "教育学类", "04", "教育学"),
    ("140001TK", "未来机器人", "本科", "1400", "交叉学科类", "14", "交叉学科"),
    ("510201", "计算机应用技术", "高职专科", "5102", "计算机类", "51", "电子与信息大类"),
    ("530302", "大数据与会计", "高职专科", "5303", "财务会计类", "53", "财经商贸大类"),
    ("520101K", "临床医学", "高职专科", "5201", "临床医学类", "52", "医药卫生大类"),
    ("100501K", "中医学", "本科", "1005", "中医学类", "10", "医学"),
    ("100601K", "中西医临床医学", "本科", "1006", "中西医结合类", "10", "医学"),
    ("520401K", "中医学", "高职专科", "5204", "中医药类", "52", "医药卫生大类"),
]


def ensure_reference(session: Session) -> None:
    """The handful of divisions, industries and majors the catalog tests use (the full load takes longer)."""
    if session.get(RefDivision, "341622") is not None:
        return
    for code, name, level, parent, full in DIVISIONS:
        session.add(RefDivision(code=code, name=name, level=level, parent_code=parent, full_name=full))
    for code, lvl, lvl_name, name, section, parent in INDUSTRIES:
        session.add(
            RefIndustry(code=code, level=lvl, level_name=lvl_name, name=name, section=section, parent_code=parent)
        )
    for code, name, level, cls, cls_name, disc, disc_name in MAJORS:
        session.add(
            RefMajor(
                code=code,
                name=name,
                level=level,
                catalog="undergrad_2026" if level == "本科" else "vocational_2021",
                class_code=cls,
                class_name=cls_name,
                discipline_code=disc,
                discipline_name=disc_name,
            )
        )
    session.add(RefMajorCodeChange(old_code="083201TK", new_code="140001TK", name="未来机器人"))
    session.flush()


def credit_code(n: int | None = None, *, prefix: str = "91341600") -> str:
    """A valid 统一社会信用代码 (checksum computed), different for each call."""
    k = next(_counter) if n is None else n
    digits = []
    for _ in range(9):
        k, r = divmod(k * 7 + 3, len(ALPHABET))
        digits.append(ALPHABET[r])
    body = prefix + "".join(digits)
    return body + uscc.calc_check_digit(body)


def principal(session: Session, world: World, key: str) -> Principal:
    return security.principal_for(session, token=world.token(key), address="127.0.0.1")


def org_id(world: World, side: str) -> int:
    return world.orgs[COUNTY[side]]


def make_employer(
    session: Session,
    world: World,
    *,
    side: str = "a",
    status: str = EmployerStatus.VERIFIED,
    name: str | None = None,
    account: str | None = None,
) -> Employer:
    """An employer in county ``side``; ``account`` (a world key such as "enterprise_a") links it to that login."""
    ensure_reference(session)
    n = next(_counter)
    employer_name = name or f"亳州测试{n}号科技有限公司"
    employer = Employer(
        name=employer_name,
        name_key=fuzzy.normalize_org_name(employer_name),
        credit_code=credit_code(n + 1000),
        industry_code="6513",
        ownership="private",
        division_code="341622" if side == "a" else "341621",
        org_unit_id=org_id(world, side),
        status=status,
        possible_duplicates=[],
    )
    session.add(employer)
    session.flush()
    if account is not None:
        existing = session.scalar(select(EmployerAccount).where(EmployerAccount.user_id == world.users[account]))
        if existing is not None:
            session.delete(existing)
            session.flush()
        session.add(EmployerAccount(user_id=world.users[account], employer_id=employer.id))
        session.flush()
    return employer


def make_position(
    session: Session,
    world: World,
    *,
    employer: Employer | None = None,
    side: str = "a",
    kind: str = "job",
    status: str = PositionStatus.OPEN,
    **fields: Any,
) -> Position:
    ensure_reference(session)
    values: dict[str, Any] = {
        "title": f"测试岗位{next(_counter)}",
        "description": "负责软件开发与维护",
        "min_education": "bachelor",
        "places": [employer.division_code if employer else ("341622" if side == "a" else "341621")],
        "pay_min": Decimal("4000.00"),
        "pay_max": Decimal("6000.00"),
        "headcount": 3,
        "filled": 0,
        "opens_on": date.today() - timedelta(days=3),
        "deadline": date.today() + timedelta(days=30),
        "source": "union_partner",
        "majors": [],
        "major_classes": [],
        "disciplines": [],
        "occupations": [],
    }
    values.update(fields)
    position = Position(
        kind=kind,
        status=status,
        employer_id=employer.id if employer else None,
        org_unit_id=employer.org_unit_id if employer else org_id(world, side),
        **values,
    )
    session.add(position)
    session.flush()
    return position


def make_rule_set(session: Session, **overrides: Any) -> ProgramRuleSet:
    ensure_reference(session)
    values: dict[str, Any] = {
        "program": "sanzhi_yifu",
        "program_name": "三支一扶",
        "year": 2024,
        "province_code": "340000",
        "min_education": "junior_college",
        "max_age": 30,
        "graduation_window_years": 2,
        "requires_local_hukou": True,
    }
    values.update(overrides)
    return service.create_rule_set(session, principal=None, data=RuleSetCreate.model_validate(values))


def make_fair(session: Session, world: World, *, side: str = "a", **fields: Any) -> JobFair:
    ensure_reference(session)
    values: dict[str, Any] = {
        "title": f"阳光就业招聘会{next(_counter)}",
        "mode": "on_site",
        "starts_at": datetime.now(UTC) + timedelta(days=10),
        "venue": "蒙城县人力资源市场",
        "organiser": "蒙城县总工会",
        "org_unit_id": org_id(world, side),
    }
    values.update(fields)
    fair = JobFair(**values)
    session.add(fair)
    session.flush()
    return fair


def employer_payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": f"安徽亳药示范{next(_counter)}制药有限公司",
        "credit_code": credit_code(),
        "industry_code": "2720",
        "ownership": "private",
        "division_code": "341622",
        "address": "蒙城县经济开发区纬一路8号",
        "contact_name": "李经理",
        "contact_phone": "13905671234",
    }
    body.update(overrides)
    return body


def position_payload(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "job",
        "title": "软件开发工程师",
        "description": "参与工会服务平台开发",
        "majors_text": "计算机科学与技术",
        "min_education": "bachelor",
        "places": ["341622"],
        "pay_min": "4500.00",
        "pay_max": "7000.00",
        "headcount": 2,
        "deadline": (date.today() + timedelta(days=30)).isoformat(),
        "hardship_priority": True,
    }
    body.update(overrides)
    return body
