"""The demo world's tracking: recommendations and pipelines in every state, services, contacts, statuses and
handoffs."""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from services.catalog import service as catalog
from services.catalog.models import Employer, Position, PositionStatus
from services.config import get_settings
from services.demo.build_base import (
    CLOSE_REASONS,
    MOVE_NOTES,
    PATH,
    PIPELINE_ENDS,
    BuilderBase,
    _count,
    _Grad,
    _Unit,
    _weighted,
    log,
)
from services.errors import Conflict
from services.registry.majors import EDUCATION_LEVELS
from services.registry.models import Stage
from services.security.principal import Principal
from services.tracking import flows
from services.tracking import service as tracking
from services.tracking.models import Application

Candidate = tuple[int, str, str, tuple[str, ...], tuple[str, ...]]  # id, kind, min education, classes, places


@dataclass
class _Group:
    """Open positions of one kind, minimum education and major class ("" = any major)."""

    every: list[int] = field(default_factory=list)
    free: list[int] = field(default_factory=list)  # no place given: near for everyone
    by_place: dict[str, list[int]] = field(default_factory=dict)


class _Pools:
    """The open positions grouped once by kind, minimum education and major class, and by place within."""

    def __init__(self, candidates: Sequence[Candidate]) -> None:
        self._groups: dict[tuple[str, int, str], _Group] = {}
        self._places: dict[int, tuple[str, ...]] = {}
        for position_id, kind, education, classes, places in candidates:
            self._places[position_id] = places
            rank = catalog.EDUCATION_RANK[education]
            for major_class in classes or ("",):
                group = self._groups.setdefault((kind, rank, major_class), _Group())
                group.every.append(position_id)
                if not places:
                    group.free.append(position_id)
                for place in dict.fromkeys(places):
                    group.by_place.setdefault(place, []).append(position_id)
        self._ranks = sorted({rank for _, rank, _ in self._groups})

    def groups(self, kinds: set[str], level: int, major_class: str) -> list[_Group]:
        """The groups a graduate of ``level`` and ``major_class`` who wants ``kinds`` may take."""
        out = []
        for kind in sorted(kinds):
            for rank in self._ranks:
                if rank > level:
                    break
                for cls in (major_class, ""):
                    group = self._groups.get((kind, rank, cls))
                    if group is not None:
                        out.append(group)
        return out

    def near(self, position_id: int, places: frozenset[str]) -> bool:
        where = self._places[position_id]
        return not where or not places.isdisjoint(where)


def _draw(rng: random.Random, segments: Sequence[Sequence[int]], k: int, accept: Callable[[int], bool]) -> list[int]:
    """Up to ``k`` distinct ids drawn at random from the concatenated ``segments`` that ``accept`` takes (a
    bounded number of tries: a pool with fewer acceptable ids gives fewer)."""
    sizes = list(itertools.accumulate(len(s) for s in segments))
    total = sizes[-1] if sizes else 0
    out: list[int] = []
    seen: set[int] = set()
    for _ in range(20 * k + 20 if total else 0):
        if len(out) >= k:
            break
        i = rng.randrange(total)
        at = bisect.bisect_right(sizes, i)
        position_id = segments[at][i - (sizes[at - 1] if at else 0)]
        if position_id in seen:
            continue
        seen.add(position_id)
        if accept(position_id):
            out.append(position_id)
    return out


class TrackingPart(BuilderBase):
    def _tracking(self) -> None:
        """Caseloads, services and contacts; recommendations from the matcher (hard rules checked), then the moves
        of each pipeline. All recommendations come first: a signing changes the catalog, and the matcher would
        rebuild its index for the next recommendation."""
        rng = self.rng
        graduates = [g for g in self.grads if g.stage == Stage.GRADUATE and g.cohort in self.cohorts]
        units = {u.unit.code: u for u in self.units}
        candidates = self._open_positions()
        target = _count(300, self.size, 30)
        served = rng.sample(graduates, min(len(graduates), max(40, round(len(graduates) * 0.3))))
        ends = [e for e, _ in PIPELINE_ENDS]
        weights = [w for _, w in PIPELINE_ENDS]
        forced = list(ends)  # every state at least once, whatever the size
        taken: set[int] = set()  # positions an offer, signing or employment already went to
        plans: list[tuple[int, str, Principal]] = []
        pools = _Pools(candidates)
        for grad in served:
            counselor = self._p(units[grad.county].counselor)
            tracking.assign_counselor(
                self.session, principal=counselor, graduate_id=grad.id, counselor_id=counselor.user_id
            )
            self._services(grad, counselor)
            self._contacts(grad, counselor)
            if len(plans) >= target or "further_study" in grad.intentions:
                continue
            placed = False
            for position_id in self._fitting(grad, pools, rng.randint(1, 3)):
                end = forced[0] if forced else rng.choices(ends, weights=weights)[0]
                final = end in {"offered", "signed", "employed"}
                if final and (placed or position_id in taken):
                    if forced:
                        continue
                    end, final = "rejected", False
                app_id = self._recommend(grad, position_id, counselor)
                if app_id is None:
                    continue
                if forced:
                    forced.pop(0)
                plans.append((app_id, end, counselor))
                if final:
                    taken.add(position_id)
                    placed = True
        for app_id, end, counselor in plans:
            self._moves(app_id, end, counselor)
        self._statuses(served, units)
        self._handoffs(units)

    def _open_positions(self) -> list[Candidate]:
        rows = self.session.execute(
            select(Position.id, Position.kind, Position.min_education, Position.major_classes, Position.places)
            .join(Employer, Employer.id == Position.employer_id, isouter=True)
            .where(
                Position.status == PositionStatus.OPEN,
                (Position.employer_id.is_(None)) | (Employer.status == "verified"),
            )
            .order_by(Position.id)
        ).all()
        return [(r[0], r[1], r[2], tuple(r[3] or ()), tuple(r[4] or ())) for r in rows]

    def _fitting(self, grad: _Grad, pools: _Pools, k: int) -> list[int]:
        """Up to ``k`` positions a counselor would pick for the graduate, at random: the kinds wanted, the
        education and the major class the position asks for, in a wanted place first; then the same elsewhere.
        Drawn from the pools of such positions without scanning the catalog, so the build stays linear."""
        level = EDUCATION_LEVELS.get(grad.education)
        if level is None:
            return []
        own_class = (grad.major_code or "")[:4]
        wanted = (set(grad.intentions) | {"job"}) - {"grassroots", "work_study"}
        places = frozenset(grad.places)
        groups = pools.groups(wanted, int(level), own_class)
        near = [g.free for g in groups] + [g.by_place[p] for g in groups for p in sorted(places) if p in g.by_place]
        picked = _draw(self.rng, near, k, lambda _pid: True)
        if len(picked) < k:
            taken = set(picked)
            far = _draw(
                self.rng,
                [g.every for g in groups],
                k - len(picked),
                lambda pid: pid not in taken and not pools.near(pid, places),
            )
            picked += far
        return picked

    def _recommend(self, grad: _Grad, position_id: int, counselor: Principal) -> int | None:
        try:
            with self.session.begin_nested():
                rec = flows.recommend(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    position_id=position_id,
                    note="根据匹配结果推荐，专业与意向地区相符",
                )
        except Conflict as exc:
            log.info("demo recommendation skipped: %s", exc.detail)
            return None
        return rec.application_id

    def _moves(self, app_id: int, end: str, counselor: Principal) -> None:
        try:
            with self.session.begin_nested():
                for step in PATH[end]:
                    tracking.move(
                        self.session,
                        principal=counselor,
                        application_id=app_id,
                        to_state=step,
                        reason=CLOSE_REASONS.get(step),
                        note=MOVE_NOTES[step],
                    )
        except Conflict as exc:
            log.info("demo pipeline stopped: %s", exc.detail)

    def _services(self, grad: _Grad, counselor: Principal) -> None:
        rng = self.rng
        plan = [
            ("policy_briefing", 0.85),
            ("career_guidance", 0.7),
            ("training_offer", 0.35),
            ("internship_offer", 0.3),
            ("interview_coaching", 0.2),
            ("job_fair", 0.3),
        ]
        for kind, chance in plan:
            if rng.random() < chance:
                tracking.record_service(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    kind=kind,
                    delivered_on=self.today - timedelta(days=rng.randint(3, 200)),
                    note="集中宣讲" if kind == "policy_briefing" else None,
                )
                self.summary.services += 1

    def _contacts(self, grad: _Grad, counselor: Principal) -> None:
        rng = self.rng
        tz = ZoneInfo(get_settings().timezone)
        days = sorted(rng.sample(range(5, 150), rng.randint(1, 3)), reverse=True)
        for i, back in enumerate(days):
            last = i == len(days) - 1
            when = datetime.combine(
                self.today - timedelta(days=back), time(rng.randint(9, 17), rng.choice((0, 30))), tzinfo=tz
            )
            due = None
            if last:
                # about a fifth are overdue: the next contact was due before today
                due = self.today + timedelta(days=rng.choice((-12, -4, 7, 14, 21, 30, 45)))
                due = max(due, when.date() + timedelta(days=1))
            tracking.record_contact(
                self.session,
                principal=counselor,
                graduate_id=grad.id,
                channel=rng.choice(("phone", "phone", "visit", "message", "meeting")),
                outcome=_weighted(rng, (("reached", 60), ("needs_help", 20), ("not_reached", 10), ("resolved", 10))),
                summary=rng.choice(
                    (
                        "了解求职进展，提醒关注招聘会信息",
                        "家访了解家庭近况，毕业生希望在本地就业",
                        "电话回访，已推送匹配岗位",
                        "毕业生咨询见习补贴政策",
                    )
                ),
                contacted_at=when,
                next_due_on=due,
            )
            self.summary.contacts += 1

    def _statuses(self, served: Sequence[_Grad], units: dict[str, _Unit]) -> None:
        """Destinations learned outside the pipeline: further study, the army, self-employment, not seeking."""
        rng = self.rng
        quiet = [
            g
            for g in served
            if not self.session.scalar(
                select(func.count()).select_from(Application).where(Application.graduate_id == g.id)
            )
        ]
        for i, grad in enumerate(quiet[: max(4, len(quiet) // 8)]):
            counselor = self._p(units[grad.county].counselor)
            choice = i % 4
            if choice == 0:
                tracking.record_event(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    kind="employment",
                    occurred_on=self.today - timedelta(days=rng.randint(10, 90)),
                    title="考取硕士研究生",
                    organisation="安徽大学",
                    destination="further_study",
                )
            elif choice == 1:
                tracking.record_event(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    kind="employment",
                    occurred_on=self.today - timedelta(days=rng.randint(10, 90)),
                    title="开设农村电商网店",
                    destination="self_employed",
                )
            elif choice == 2:
                tracking.set_override(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    status="military",
                    reason="本人电话告知已应征入伍，武装部已发入伍通知书",
                )
            else:
                tracking.record_event(
                    self.session,
                    principal=counselor,
                    graduate_id=grad.id,
                    kind="training",
                    occurred_on=self.today - timedelta(days=rng.randint(10, 60)),
                    ended_on=self.today - timedelta(days=rng.randint(1, 9)),
                    title="电子商务技能培训",
                    organisation="亳州职业技术学院",
                )

    def _handoffs(self, units: dict[str, _Unit]) -> None:
        rng = self.rng
        movers = [g for g in self.grads if g.stage == Stage.GRADUATE and g.county in {"BZ-LX", "BZ-GY", "BZ-MC"}]
        for i, grad in enumerate(rng.sample(movers, min(len(movers), 3))):
            home = units[grad.county]
            target = units.get("BZ-GX") or units["BZ-QC"]
            try:
                handoff = tracking.request_handoff(
                    self.session,
                    principal=self._p(home.clerk),
                    graduate_id=grad.id,
                    to_org_unit_id=target.unit.id,
                    reason="毕业生希望到亳州高新区就业，转介当地工会推荐岗位",
                    intended_place="亳州高新区",
                )
            except Conflict:
                continue
            if i < 2:
                tracking.decide_handoff(
                    self.session,
                    principal=self._p(target.clerk),
                    handoff_id=handoff.id,
                    accept=True,
                    note="已接收，安排专人对接",
                )

    # ------------------------------------------------------------------------------------------ aid
