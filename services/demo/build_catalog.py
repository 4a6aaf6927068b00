"""The demo world's catalog: employers of the region's trades, positions of all five kinds and the job fairs
offering them."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from services.catalog import service as catalog
from services.catalog.models import Employer, EmployerStatus, Position, PositionKind, PositionStatus, ProgramRuleSet
from services.catalog.schemas import (
    EmployerCreate,
    EmployerStaffCreate,
    EntrepreneurshipDetails,
    GrassrootsDetails,
    InternshipDetails,
    JobFairCreate,
    PositionCreate,
    WorkStudyDetails,
)
from services.config import get_settings
from services.demo import identities, lexicon
from services.demo.build_base import PROGRAMS, BuilderBase, _count, _Unit, _weighted
from services.errors import ValidationFailed
from services.orgs.models import OrgKind
from services.security.models import Role
from services.security.principal import Principal


class CatalogPart(BuilderBase):
    def _catalog(self) -> None:
        rng = self.rng
        employers = _count(300, self.size, 14)
        self_registered = max(3, round(employers * 0.05))
        trades = [(t, t.weight) for t in lexicon.TRADES]
        county_units = [u for u in self.units if u.unit.kind == OrgKind.COUNTY.value]
        parks = [u for u in self.units if u.unit.kind == OrgKind.PARK.value]
        made: list[tuple[int, lexicon.Trade, str]] = []
        for n in range(employers):
            trade: lexicon.Trade = _weighted(rng, trades)
            where = rng.random() if n >= self_registered else 0.0
            if where < 0.72:
                unit = rng.choice(county_units + parks if trade.ownership == "private" else county_units)
                division = unit.division
            else:
                unit = None
                division = rng.choice(lexicon.HEFEI if where < 0.9 else lexicon.ELSEWHERE)
            name = self._company(trade, division)
            data: dict[str, Any] = {
                "name": name,
                "credit_code": identities.credit_code(rng, division=division),
                "industry_code": trade.industry,
                "ownership": trade.ownership,
                "division_code": division,
                "address": f"{lexicon.PLACE_WORDS[division][0]}{rng.choice(lexicon.STREETS)}{rng.randint(1, 400)}号",
                "contact_name": self._name(rng.random() < 0.5)[0] + rng.choice(("经理", "主任", "女士", "先生")),
                "contact_phone": identities.phone(rng),
                "description": trade.description,
            }
            if n < self_registered and unit is not None:
                employer_id, manager = self._self_registered(unit, data, n)
            else:
                manager = self._p(unit.clerk if unit else self.city)
                employer = catalog.create_employer(
                    self.session,
                    principal=manager,
                    data=EmployerStaffCreate(**data, org_unit_id=unit.unit.id if unit else self.top_id),
                )
                employer_id = employer.id
            self.employer_manager[employer_id] = manager
            made.append((employer_id, trade, division))
        self.summary.employers = len(made)
        total = _count(1500, self.size, 60)
        per_employer = max(1, round(total * 0.8 / len(made)))
        for employer_id, trade, division in made:
            for _ in range(rng.randint(max(1, per_employer - 2), per_employer + 2)):
                self._employer_position(employer_id, trade, division)
        programs = max(len(PROGRAMS) * 2, round(total * 0.12))
        for i in range(programs):
            self._program_position(PROGRAMS[i % len(PROGRAMS)])
        for _ in range(max(3, round(total * 0.05))):
            self._entrepreneurship_position()
        self._settle_positions()
        self._fairs()

    def _company(self, trade: lexicon.Trade, division: str) -> str:
        rng = self.rng
        for _ in range(50):
            place = rng.choice(lexicon.PLACE_WORDS[division])
            word = rng.choice(trade.words)
            mark = rng.choice(lexicon.DEMO_MARK)
            if trade.key == "school":
                town = rng.choice(lexicon.TOWNS.get(division, ("城区",)))
                name = f"{lexicon.COUNTY_NAMES.get(division, place)}{town}{mark}{word}"
            elif trade.key == "hospital":
                name = f"{place}{mark}{word}"
            else:
                name = f"{place}{mark}{word}{rng.choice(trade.suffixes)}"
            if name not in self.used_names:
                self.used_names.add(name)
                return name
        raise ValidationFailed("演示单位名称已用尽", field="name")  # pragma: no cover

    def _self_registered(self, unit: _Unit, data: dict[str, Any], n: int) -> tuple[int, Principal]:
        """An enterprise that registered itself: verified by the county clerk, or still pending, or refused."""
        account = self._account(f"demo-hr-{n + 1:03d}", Role.ENTERPRISE, unit.unit, f"{data['name']} 人事部")
        employer = catalog.register_employer(self.session, principal=account, data=EmployerCreate(**data))
        outcome = n % 3
        if outcome == 0:
            catalog.review_employer(
                self.session,
                principal=self._p(unit.clerk),
                employer_id=employer.id,
                approve=True,
                note="营业执照与信用代码核对一致",
            )
        elif outcome == 2:
            catalog.review_employer(
                self.session,
                principal=self._p(unit.clerk),
                employer_id=employer.id,
                approve=False,
                note="营业执照照片不清晰，请重新上传后再提交认证",
            )
        return employer.id, account

    def _dates(self) -> dict[str, date]:
        rng = self.rng
        opens = self.today - timedelta(days=rng.randint(0, 75))
        deadline = self.today + timedelta(days=rng.choice((3, 6, 12, 20, 30, 45, 60, 90, 120)))
        return {"opens_on": opens, "deadline": deadline}

    def _create(self, principal: Principal, data: PositionCreate) -> int:
        position = catalog.create_position(self.session, principal=principal, data=data)
        self.positions.append(position.id)
        return position.id

    def _employer_position(self, employer_id: int, trade: lexicon.Trade, division: str) -> None:
        rng = self.rng
        manager = self.employer_manager[employer_id]
        kind = _weighted(rng, ((PositionKind.JOB, 74), (PositionKind.INTERNSHIP, 18), (PositionKind.WORK_STUDY, 8)))
        title = rng.choice(trade.titles)
        low, high = trade.pay
        pay_min = Decimal(rng.randrange(low, high - 800, 100))
        common: dict[str, Any] = {
            "kind": kind,
            "employer_id": employer_id,
            "description": f"{trade.description}岗位职责：{title}相关工作。",
            "major_classes": rng.sample(list(trade.classes), min(len(trade.classes), rng.randint(1, 3))),
            "min_education": rng.choice(("junior_college", "junior_college", "bachelor")),
            "places": [division],
            "headcount": rng.choice((1, 2, 2, 3, 5, 8)),
            "hardship_priority": rng.random() < 0.35,
            "publish": rng.random() > 0.03,
            **self._dates(),
        }
        if manager.role != Role.ENTERPRISE:
            common["source"] = rng.choice(("union_partner", "school_enterprise", "union_partner"))
        elif self.session.get(Employer, employer_id).status != EmployerStatus.VERIFIED:  # type: ignore[union-attr]
            common["publish"] = False  # an unverified enterprise keeps its positions as drafts
        if kind == PositionKind.JOB:
            common.update(title=title, pay_min=pay_min, pay_max=pay_min + Decimal(rng.choice((800, 1500, 2500))))
        elif kind == PositionKind.INTERNSHIP:
            common.update(
                title=f"{title}（就业见习）",
                internship=InternshipDetails(
                    duration_months=rng.choice((3, 6, 12)), subsidy=Decimal(rng.choice((1500, 1800, 2000, 2200)))
                ),
            )
        else:
            common.update(
                title=f"{title}（勤工俭学）",
                min_education="junior_college",
                major_classes=[],
                work_study=WorkStudyDetails(
                    hours_per_week=rng.choice((8, 12, 16)),
                    pay_basis="hourly",
                    rate=Decimal(rng.choice((16, 18, 20, 22))),
                    summer_special=rng.random() < 0.4,
                ),
            )
        self._create(manager, PositionCreate(**common))

    def _rule_year(self) -> int:
        years = list(self.session.scalars(select(ProgramRuleSet.year).distinct().order_by(ProgramRuleSet.year)))
        return min((y for y in years if y >= self.today.year), default=years[-1] if years else self.today.year)

    def _program_position(self, program: str) -> None:
        rng = self.rng
        unit = rng.choice([u for u in self.units if u.unit.division_code in lexicon.COUNTY_NAMES])
        county = lexicon.COUNTY_NAMES[unit.division]
        town = rng.choice(lexicon.TOWNS[unit.division])
        year = self._rule_year()
        spec = {
            "tegang": (
                f"{year}年特岗计划 {county}农村小学{rng.choice(('语文', '数学', '英语'))}教师",
                ["0401", "0501", "0701", "0502"],
                "bachelor",
                3,
                [unit.division],
            ),
            "sanzhi_yifu": (
                f"{year}年三支一扶 {county}{town}{rng.choice(('支农', '支医', '帮扶乡村振兴'))}岗",
                [],
                "junior_college",
                2,
                [unit.division],
            ),
            "xibu": (
                f"{year}年大学生志愿服务西部计划 新疆阿克苏{rng.choice(('基础教育', '服务三农', '医疗卫生'))}专项",
                [],
                "junior_college",
                2,
                ["652901"],
            ),
            "chengxiang_shequ": (f"{year}年{county}{town}城乡社区工作者", [], "junior_college", None, [unit.division]),
            "xiangcun_yisheng": (f"{year}年{county}{town}卫生院乡村医生", [], "junior_college", None, [unit.division]),
        }[program]
        title, classes, education, years, places = spec
        data = PositionCreate(
            kind=PositionKind.GRASSROOTS,
            title=title,
            description="基层服务项目岗位，服务期满按政策享受考研加分、事业单位定向招聘等优惠。",
            major_classes=classes,
            min_education=education,
            places=places,
            headcount=rng.choice((2, 3, 5, 10)),
            hardship_priority=True,
            org_unit_id=unit.unit.id,
            source="union_partner",
            publish=True,
            grassroots=GrassrootsDetails(
                program=program,
                program_year=year,
                service_years=years,
                province_code="340000" if program != "xibu" else None,
            ),
            **self._dates(),
        )
        self._create(self._p(unit.clerk), data)

    def _entrepreneurship_position(self) -> None:
        rng = self.rng
        unit = rng.choice([u for u in self.units if u.unit.division_code in lexicon.COUNTY_NAMES])
        county = lexicon.COUNTY_NAMES[unit.division]
        mentor = rng.choice(("expert", "model_worker", "craftsman"))
        data = PositionCreate(
            kind=PositionKind.ENTREPRENEURSHIP,
            title=rng.choice(
                (f"{county}大学生创业孵化基地入驻", f"{county}职工创新创业扶持资金", f"{county}农村电商创业导师帮带")
            ),
            description="面向有创业意愿的困难职工家庭高校毕业生，提供场地、资金和导师帮带。",
            places=[unit.division],
            hardship_priority=True,
            org_unit_id=unit.unit.id,
            source="union_partner",
            publish=True,
            entrepreneurship=EntrepreneurshipDetails(
                fund_amount=Decimal(rng.choice((20000, 30000, 50000))),
                venue=f"{county}大学生创业孵化基地",
                mentor_kind=mentor,
                mentor_name=self._name(False)[0] + rng.choice(("老师", "师傅")),
                competition="亳州市职工创新创业大赛" if rng.random() < 0.5 else None,
            ),
            **self._dates(),
        )
        self._create(self._p(unit.clerk), data)

    def _settle_positions(self) -> None:
        """Close a few positions by hand, the way staff withdraw a post that is no longer offered."""
        open_ids = list(
            self.session.scalars(
                select(Position.id).where(Position.status == PositionStatus.OPEN).order_by(Position.id)
            )
        )
        for position_id in self.rng.sample(open_ids, max(1, len(open_ids) // 30)):
            position = self.session.get(Position, position_id)
            assert position is not None
            principal = self._manager_of(position)
            catalog.close_position(self.session, principal=principal, position_id=position_id)
        self.summary.positions = len(self.positions)

    def _manager_of(self, position: Position) -> Principal:
        if position.employer_id is not None:
            return self.employer_manager[position.employer_id]
        return next(self._p(u.clerk) for u in self.units if u.unit.id == position.org_unit_id)

    def _fairs(self) -> None:
        rng = self.rng
        count = _count(12, self.size, 3)
        tz = ZoneInfo(get_settings().timezone)
        county_units = [u for u in self.units if u.unit.division_code in lexicon.COUNTY_NAMES]
        for i in range(count):
            unit = county_units[i % len(county_units)]
            county = lexicon.COUNTY_NAMES[unit.division]
            day = self.today + timedelta(days=rng.choice((-40, -20, -6, 5, 12, 25)))
            online = rng.random() < 0.3
            fair = catalog.create_job_fair(
                self.session,
                principal=self._p(unit.clerk),
                data=JobFairCreate(
                    title=f"{day.year}年{county}“阳光就业”{'线上' if online else ''}专场招聘会（第{i // 4 + 1}场）",
                    mode="online" if online else "on_site",
                    starts_at=datetime.combine(day, time(9), tzinfo=tz),
                    ends_at=datetime.combine(day, time(12 if not online else 17), tzinfo=tz),
                    division_code=unit.division,
                    venue="" if online else f"{county}人力资源市场一楼大厅",
                    url=f"https://jobs.example.invalid/fair/{i + 1}" if online else "",
                    organiser=unit.unit.name,
                    description="困难职工家庭高校毕业生专场，现场提供政策咨询和简历指导。",
                    org_unit_id=unit.unit.id,
                ),
            )
            mine = list(
                self.session.scalars(
                    select(Position.id)
                    .where(
                        Position.org_unit_id.in_(sorted(self._p(unit.clerk).scope or ())),
                        Position.status == PositionStatus.OPEN,
                    )
                    .order_by(Position.id)
                )
            )
            if mine:
                chosen = sorted(rng.sample(mine, min(len(mine), rng.randint(5, 25))))
                catalog.add_fair_positions(
                    self.session, principal=self._p(unit.clerk), job_fair_id=fair.id, position_ids=chosen
                )
            self.summary.job_fairs += 1

    # ------------------------------------------------------------------------------------------ tracking
