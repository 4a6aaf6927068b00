"""A generated but realistic 亳州市 world, built through the domains' own service functions.

``build_world(session, size=1.0, seed=2023)`` fills an empty, migrated database that already holds the org tree
and the reference catalogs (``sunshine orgs load``, ``services.refdata.service.load_all``):

- the staff who do the work: the assistance centre (two reviewers), and a clerk and a counselor per county, park
  and 市直 union;
- about 2,000 hardship families (附件3 城镇困难职工, 附件4 困难农民工) with their members, their graduates of the
  three latest cohorts and their children still at school — handed in by each grassroots union as a spreadsheet
  and taken in by the registry's import (the same validation, sealing, derived fields and history as a clerk's
  upload); a few graduates from outside the archives (service categories 三 and 六);
- about 300 employers of the region's trades, in the four counties and the parks and in 合肥 and other cities,
  registered by union staff (verified) or by the enterprises themselves (some still pending, some refused);
- about 1,500 positions of all five kinds, grassroots posts (特岗计划, 三支一扶, 西部计划, 城乡社区, 乡村医生)
  linked to the program rule sets, and job fairs offering them;
- 两后生 with their 技能培训, 中职 and 学徒 steps, and 金牌蓝领 school–enterprise pairings with students,
  internships, the enterprise's aid and a placement;
- counselors' caseloads: pipelines in every state, services delivered (1131), contacts with follow-ups (some
  overdue), events, status decisions and cross-region handoffs;
- the year's 金秋助学 campaign: budgets, the families' signed authorisations (附件5) with their economic checks,
  applications at every step from submitted to paid, a public notice in its period with objections, and a settled
  bank batch;
- the year's 摸排 of every county (all handed in but one, still a draft), the deadlines and a few 典型经验;
- beside the current year, the notice's own 2023 campaign (its standards and deadlines: 7月14日, 8月20日, 8月29日,
  11月28日) with families whose children graduated in 2021–2023; grassroots signings (特岗计划, 三支一扶, 西部计划,
  城乡社区, 乡村医生); work-study placements with their subsidies, the summer special among them; and donation
  money: a donor's fund for 本科在读 students with its allocations and one allocation refused for breaking the
  donor's condition, and a model worker's fund for the students he named.
- mentors (劳模, 工匠, 爱心企业, a 创业专家 per county) paired one to one with graduates, with contact logs;
  网络创业 / 返乡创业 projects, the city's 创新创业大赛 with entries screened and supported.

Dates. The running service judges deadlines, notice periods and overdue follow-ups against the real clock, so
the world is anchored on a "demo today" that is the real date (Asia/Shanghai) unless a test passes one. Cohorts
are the three latest graduating classes on that day (graduation in June: before July the latest is last year's),
so in the campaign year of the notice, 2023, they are exactly 2021, 2022 and 2023. Everything else — deadlines,
fairs, contacts, notices — is placed relative to demo today. Records the services stamp themselves (created,
moved) carry the time of the build.

Every choice comes from ``random.Random(seed)``; the same seed and demo today give the same world. Every ID number,
credit code, bank card and phone comes from :mod:`services.demo.identities`: valid, and visibly synthetic.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.aid.models import AidApplication
from services.catalog import service as catalog
from services.catalog.models import Employer, Position
from services.demo.build_aid import AidPart
from services.demo.build_assistance import AssistancePart
from services.demo.build_base import WorldSummary, cohorts_on, demo_today
from services.demo.build_campaign import CampaignPart
from services.demo.build_catalog import CatalogPart
from services.demo.build_history import HistoryPart
from services.demo.build_mentors import MentorsPart
from services.demo.build_policies import PoliciesPart
from services.demo.build_registry import RegistryPart
from services.demo.build_tracking import TrackingPart
from services.demo.build_vocational import VocationalPart
from services.errors import Conflict, ValidationFailed
from services.orgs.models import OrgUnit
from services.refdata.models import RefMajor
from services.registry.models import Family, Graduate
from services.tracking.models import Application

__all__ = ["WorldSummary", "build_world", "cohorts_on", "demo_today", "digest", "has_world"]


def has_world(session: Session) -> bool:
    """True when the database already holds registry families (a world, or real data): never build over it."""
    return bool(session.scalar(select(func.count()).select_from(Family)))


def build_world(session: Session, *, size: float = 1.0, seed: int = 2023, today: date | None = None) -> WorldSummary:
    """Build the demo world (see the module docstring) in the caller's transaction; flushes, never commits."""
    if size <= 0:
        raise ValidationFailed("规模应大于0", field="size")
    if has_world(session):
        raise Conflict("数据库中已有档案数据，不能再生成演示数据")
    if not session.scalar(select(func.count()).select_from(RefMajor)):
        raise ValidationFailed("请先载入参考目录（sunshine refdata load）", field="refdata")
    if session.scalar(select(func.count()).select_from(OrgUnit)) == 0:
        raise ValidationFailed("请先载入工会组织树（sunshine orgs load）", field="orgs")
    started = datetime.now(UTC)
    builder = _Builder(session, size=size, seed=seed, today=today or demo_today())
    builder.run()
    builder.summary.seconds = round((datetime.now(UTC) - started).total_seconds(), 2)
    return builder.summary


def digest(session: Session) -> str:
    """A fingerprint of the world's key fields (names, identifiers' blind indexes left out, states, counts), for
    checking that the same seed gives the same world."""
    parts: list[Any] = [
        list(
            session.execute(
                select(Family.archive_no, Family.name, Family.archive_type, Family.family_size).order_by(
                    Family.archive_no
                )
            ).all()
        ),
        list(
            session.execute(
                select(
                    Graduate.name,
                    Graduate.stage,
                    Graduate.school_name,
                    Graduate.major_code,
                    Graduate.cohort,
                    Graduate.employment_status,
                ).order_by(Graduate.id)
            ).all()
        ),
        list(session.execute(select(Employer.name, Employer.credit_code, Employer.status).order_by(Employer.id)).all()),
        list(
            session.execute(
                select(Position.title, Position.kind, Position.status, Position.filled, Position.deadline).order_by(
                    Position.id
                )
            ).all()
        ),
        list(
            session.execute(
                select(Application.graduate_id, Application.position_id, Application.state).order_by(Application.id)
            ).all()
        ),
        list(
            session.execute(
                select(AidApplication.student_name, AidApplication.status).order_by(AidApplication.id)
            ).all()
        ),
    ]
    text = json.dumps(parts, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class _Builder(
    HistoryPart,
    RegistryPart,
    CatalogPart,
    TrackingPart,
    AssistancePart,
    VocationalPart,
    AidPart,
    PoliciesPart,
    CampaignPart,
    MentorsPart,
):
    """The whole world: the base's people and staff, then each domain's part in order."""

    def run(self) -> None:
        catalog.seed_rule_sets(self.session)
        self._staff()
        self._registry()
        self._catalog()
        self._tracking()
        self._assistance()
        self._vocational()
        self._aid()
        self._policies()
        self._campaign()
        self._history()
        self._mentors()
        self._count_all()
