"""The demo world beside the current year: the notice's own 2023 campaign (its standards and its deadlines, 7月14日
摸排, 8月20日 纸质材料, 8月29日 阶段报告, 11月28日 总结) with graduates of the cohorts it names (2021–2023), handed
in as each county's sheet like the rest of the registry; grassroots signings (特岗计划, 三支一扶, 西部计划 …);
work-study placements with their subsidies, the summer special among them; and donation money — a donor's fund
with its conditions, allocations within them and one allocation refused for breaking them (kept in the audit log
and shown on the fund's page)."""

from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from services.aid import donations
from services.aid import service as aid
from services.catalog.models import Position, PositionStatus
from services.demo.build_base import MOVE_NOTES, _count, _Grad, _Unit, log
from services.demo.build_registry import RegistryPart
from services.errors import DomainError, ValidationFailed
from services.registry.forms import FAMILY_FIELDS, GRADUATE_FIELDS, HEAD_ID_FIELD, MEMBER_FIELDS
from services.registry.models import Stage
from services.reports.campaign import deadlines
from services.tracking import flows
from services.tracking import service as tracking
from services.tracking.models import Application

NOTICE_YEAR = 2023
NOTICE_COHORTS = [2021, 2022, 2023]
SIGNED_PROGRAMS = ("tegang", "sanzhi_yifu", "xibu", "chengxiang_shequ", "xiangcun_yisheng")
SIGN_PATH = ("applied", "interviewing", "offered", "signed")
COLLEGE_KINDS = {"06", "07", "08"}
WORK_STUDY_POSTS = (
    ("职工书屋图书管理助理", "{county}总工会职工服务中心"),
    ("困难职工帮扶中心接待助理", "{county}总工会困难职工帮扶中心"),
    ("社区儿童暑期托管辅导员", "{county}城关街道社区服务中心"),
    ("中药材电商运营助理", "亳州华佗药业有限公司"),
)


class HistoryPart(RegistryPart):
    def _history(self) -> None:
        if self.today.year != NOTICE_YEAR:
            aid.load_year(self.session, year=NOTICE_YEAR)  # the notice's standards and its dates as settings
        deadlines.ensure_year(self.session, year=NOTICE_YEAR)
        self._notice_cohorts()
        self._grassroots_signings()
        self._work_study()
        self._donations()

    # ---- the 2021–2023 graduates -----------------------------------------------------------------------------

    def _notice_cohorts(self) -> None:
        """Families of the 2023 campaign whose children graduated in 2021–2023, handed in per county as a sheet of
        their own (the same import, validation and sealing as the current year's)."""
        if set(NOTICE_COHORTS) <= set(self.cohorts):
            return
        total = _count(150, self.size, len(self.units))
        plan = Counter(self.rng.choices(range(len(self.units)), k=total))
        current, self.cohorts = self.cohorts, list(NOTICE_COHORTS)
        sheets: list[tuple[_Unit, dict[str, list[dict[str, Any]]], list[dict[str, Any]]]] = []
        try:
            for index, unit in enumerate(self.units):
                if not plan[index]:
                    continue
                rows: dict[str, list[dict[str, Any]]] = {"family": [], "member": [], "graduate": []}
                pending: list[dict[str, Any]] = []
                for _ in range(plan[index]):
                    head, fam = self._family_row(unit.unit, unit.division)
                    members, grads = self._household(head, fam, unit.division)
                    rows["family"].append(fam)
                    rows["member"] += members
                    rows["graduate"] += grads
                    pending += [{"row": g, "family": fam} for g in grads]
                sheets.append((unit, rows, pending))
            # every cohort the notice names, whatever the size: a graduate outside the archives (category 六) for a
            # cohort no family happened to have
            drawn = {int(r["cohort"]) for _, rows, _ in sheets for r in rows["graduate"] if r["stage"] == "毕业生"}
            for cohort in sorted(set(NOTICE_COHORTS) - drawn):
                self.cohorts = [cohort]
                unit, rows, pending = sheets[0]
                grad = self._graduate_row(None, unit.division, category="6")
                rows["graduate"].append(grad)
                pending.append({"row": grad, "family": None})
        finally:
            self.cohorts = current
        for unit, rows, pending in sheets:
            for label, fields, sheet in (
                ("档案", FAMILY_FIELDS, rows["family"]),
                ("家庭成员", (HEAD_ID_FIELD, *MEMBER_FIELDS), rows["member"]),
                ("学生毕业生", GRADUATE_FIELDS, rows["graduate"]),
            ):
                if sheet:
                    self._import_csv(
                        unit, unit.unit, f"{unit.unit.name}{label}{NOTICE_YEAR}年金秋助学.csv", fields, sheet
                    )
            self._remember(unit, pending)
        self.summary.families = len(self.families)
        self.summary.cohorts = sorted(set(self.summary.cohorts) | set(NOTICE_COHORTS))
        log.info("history: %d families of the 2021–2023 cohorts", total)

    # ---- grassroots programs -----------------------------------------------------------------------------------

    def _grassroots_signings(self) -> None:
        """Graduates signed to grassroots posts: recommended through the one gate (the program's rules), then moved
        to 签约 by their counselor, one program after another. All recommendations first: a signing changes the
        catalog and the matcher would rebuild its index for the next one."""
        open_posts: dict[str, list[int]] = {}
        for pid, program in self.session.execute(
            select(Position.id, Position.program)
            .where(Position.kind == "grassroots", Position.status == PositionStatus.OPEN)
            .where(Position.filled < Position.headcount)
            .order_by(Position.id)
        ):
            open_posts.setdefault(str(program), []).append(pid)
        graduates = [g for g in self.grads if g.stage == Stage.GRADUATE]
        keen = [g for g in graduates if "grassroots" in g.intentions]
        others = [g for g in graduates if "grassroots" not in g.intentions]
        candidates = self.rng.sample(keen, len(keen)) + self.rng.sample(others, min(len(others), 60))
        busy = set(
            self.session.scalars(select(Application.graduate_id).where(Application.state.in_(("offered", "signed"))))
        )
        plans: list[tuple[int, _Grad]] = []
        wanted = max(len(SIGNED_PROGRAMS), _count(25, self.size, len(SIGNED_PROGRAMS)))
        per_program = max(1, wanted // len(SIGNED_PROGRAMS))
        used: set[int] = set()
        for program in SIGNED_PROGRAMS:
            posts = open_posts.get(program, [])
            got = tries = 0
            for grad in candidates:
                if got >= per_program or tries >= 40 or not posts:
                    break
                if grad.id in used or grad.id in busy:
                    continue
                tries += 1
                app_id = self._grassroots_recommendation(grad, posts[got % len(posts)])
                if app_id is not None:
                    plans.append((app_id, grad))
                    used.add(grad.id)
                    got += 1
        signed = 0
        for app_id, grad in plans:
            counselor = self._p(self.by_code[grad.county].counselor)
            try:
                with self.session.begin_nested():
                    for step in SIGN_PATH:
                        tracking.move(
                            self.session,
                            principal=counselor,
                            application_id=app_id,
                            to_state=step,
                            note=MOVE_NOTES[step],
                        )
                signed += 1
            except DomainError as exc:
                log.info("demo grassroots signing stopped: %s", exc.detail)
        log.info("history: %d grassroots signings", signed)

    def _grassroots_recommendation(self, grad: _Grad, position_id: int) -> int | None:
        counselor = self._p(self.by_code[grad.county].counselor)
        try:
            with self.session.begin_nested():
                rec = flows.recommend(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    position_id=position_id,
                    note="符合基层服务项目报名条件，动员报名",
                )
        except DomainError:  # the program's rules, a handoff, a seat gone: try the next one
            return None
        return rec.application_id

    # ---- work-study ----------------------------------------------------------------------------------------------

    def _work_study(self) -> None:
        """勤工俭学 posts of aided college students with their subsidies: the summer special (暑期专项) of 2023 and of
        this year, and term-time posts."""
        students = [g for g in self.grads if g.stage == Stage.STUDENT and g.school_kind in COLLEGE_KINDS and g.archived]
        chosen = self.rng.sample(students, min(len(students), _count(40, self.size, 6)))
        years = sorted({NOTICE_YEAR, self.today.year})
        for i, grad in enumerate(chosen):
            unit = self.by_code[grad.county]
            county = unit.unit.name.removesuffix("总工会")
            title, employer = WORK_STUDY_POSTS[i % len(WORK_STUDY_POSTS)]
            year = years[i % len(years)]
            summer = i % 3 != 2
            if summer:
                starts, ends, subsidy = date(year, 7, 10), date(year, 8, 20), Decimal("1200.00")
            else:
                starts, ends, subsidy = date(year, 3, 1), date(year, 6, 30), Decimal("1600.00")
            aid.add_work_study(
                self.session,
                principal=self._p(unit.clerk),
                student_id=grad.id,
                year=year,
                post_title=("暑期专项 " if summer else "") + title,
                employer_name=employer.format(county=county),
                summer_special=summer,
                starts_on=starts,
                ends_on=ends,
                subsidy_amount=subsidy,
                fund_source="city",
            )
        log.info("history: %d work-study placements", len(chosen))

    # ---- donations -------------------------------------------------------------------------------------------------

    def _donations(self) -> None:
        """A donor's fund for 本科在读 students at 2,000 yuan each, allocations within it, and one allocation the
        donor's condition refuses (a 专科 student): refused with the condition named, kept in the audit log."""
        city = self._p(self.city)
        year = self.today.year
        fund = donations.create_fund(
            self.session,
            principal=city,
            data=donations.FundInput(
                year=year,
                name="华佗药业爱心助学金",
                donor_name="亳州华佗药业有限公司",
                donor_kind="enterprise",
                pledged=Decimal("100000.00"),
                received=Decimal("60000.00"),
                standard_amount=Decimal("2000.00"),
                conditions=donations.Conditions(stages=("student",), educations=("21",)),
                note="捐赠方意愿：资助困难职工家庭本科在读学生，每人2000元",
            ),
        )
        students = [g for g in self.grads if g.stage == Stage.STUDENT and g.school_kind in COLLEGE_KINDS]
        undergrads = [g for g in students if g.education == "21"]
        for grad in self.rng.sample(undergrads, min(len(undergrads), _count(12, self.size, 3))):
            donations.allocate(
                self.session,
                principal=city,
                fund_id=fund.id,
                student_id=grad.id,
                amount=Decimal("2000.00"),
                note="按捐赠方意愿资助",
                source="console",
            )
        refused = next((g for g in students if g.education != "21"), None)
        if refused is not None:
            try:  # refused before anything changes; the denial stays in the audit log of this transaction
                donations.allocate(
                    self.session, principal=city, fund_id=fund.id, student_id=refused.id, amount=Decimal("2000.00")
                )
            except ValidationFailed as exc:
                log.info("history: donation allocation refused: %s", exc.detail)
        named = [g for g in self.grads if g.stage == Stage.STUDENT and g.archived][:2]
        person = donations.create_fund(
            self.session,
            principal=city,
            data=donations.FundInput(
                year=NOTICE_YEAR,
                name="劳模爱心结对助学款",
                donor_name="全国劳动模范 李建华",
                donor_kind="model_worker",
                pledged=Decimal("8000.00"),
                received=Decimal("8000.00"),
                max_per_person=Decimal("4000.00"),
                recipient_ids=[g.id for g in named],
                note="捐赠方指定资助对象",
            ),
        )
        for grad in named:
            donations.allocate(
                self.session, principal=city, fund_id=person.id, student_id=grad.id, amount=Decimal("4000.00")
            )
