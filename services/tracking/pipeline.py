"""The application pipeline as data: states, the transition table, closing reasons and status derivation.

Pure: no database. The service checks every move against :data:`TRANSITIONS`; the property tests drive the
same table with random moves by random roles.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class AppState(StrEnum):
    RECOMMENDED = "recommended"  # 岗位推荐
    APPLIED = "applied"  # 求职（已投递）
    INTERVIEWING = "interviewing"  # 面试 / 洽谈
    OFFERED = "offered"  # 录用
    SIGNED = "signed"  # 签约
    EMPLOYED = "employed"  # 就业（到岗）
    REJECTED = "rejected"  # 未录用
    WITHDRAWN = "withdrawn"  # 本人放弃
    EXPIRED = "expired"  # 过期关闭


STATE_NAMES: dict[str, str] = {
    AppState.RECOMMENDED: "已推荐",
    AppState.APPLIED: "已投递",
    AppState.INTERVIEWING: "面试洽谈中",
    AppState.OFFERED: "已录用",
    AppState.SIGNED: "已签约",
    AppState.EMPLOYED: "已到岗就业",
    AppState.REJECTED: "未录用",
    AppState.WITHDRAWN: "已放弃",
    AppState.EXPIRED: "已过期",
}

ACTIVE = frozenset({AppState.RECOMMENDED, AppState.APPLIED, AppState.INTERVIEWING, AppState.OFFERED})
CLOSED = frozenset({AppState.REJECTED, AppState.WITHDRAWN, AppState.EXPIRED})
TERMINAL = CLOSED | {AppState.EMPLOYED}
# States an enterprise sees: the graduate has applied (a bare recommendation is the union's business).
VISIBLE_TO_ENTERPRISE = frozenset(AppState) - {AppState.RECOMMENDED}


class Actor(StrEnum):
    """Who moves the pipeline. ``counselor`` stands for every union-side role (counselor, county/city, admin)."""

    GRADUATE = "graduate"
    ENTERPRISE = "enterprise"
    COUNSELOR = "counselor"
    SYSTEM = "system"


G, E, C, S = Actor.GRADUATE, Actor.ENTERPRISE, Actor.COUNSELOR, Actor.SYSTEM
St = AppState

# (from, to) → the actors allowed to make the move. ``None`` is "no application yet".
TRANSITIONS: dict[tuple[AppState | None, AppState], frozenset[Actor]] = {
    (None, St.RECOMMENDED): frozenset({C}),
    (None, St.APPLIED): frozenset({G, C}),
    (St.RECOMMENDED, St.APPLIED): frozenset({G, C}),
    (St.APPLIED, St.INTERVIEWING): frozenset({E, C}),
    (St.APPLIED, St.OFFERED): frozenset({E, C}),
    (St.INTERVIEWING, St.OFFERED): frozenset({E, C}),
    (St.APPLIED, St.REJECTED): frozenset({E, C}),
    (St.INTERVIEWING, St.REJECTED): frozenset({E, C}),
    (St.OFFERED, St.REJECTED): frozenset({E, C}),
    # signing needs both sides: the graduate and the enterprise each confirm; a counselor records an
    # offline signing with evidence
    (St.OFFERED, St.SIGNED): frozenset({G, E, C}),
    (St.SIGNED, St.EMPLOYED): frozenset({E, C}),
    (St.RECOMMENDED, St.WITHDRAWN): frozenset({G, C}),
    (St.APPLIED, St.WITHDRAWN): frozenset({G, C}),
    (St.INTERVIEWING, St.WITHDRAWN): frozenset({G, C}),
    (St.OFFERED, St.WITHDRAWN): frozenset({G, C}),
    (St.RECOMMENDED, St.EXPIRED): frozenset({S, C}),
    (St.APPLIED, St.EXPIRED): frozenset({S, C}),
    (St.INTERVIEWING, St.EXPIRED): frozenset({S, C}),
    (St.OFFERED, St.EXPIRED): frozenset({S, C}),
}

# Moves that need both the graduate's and the enterprise's confirmation (unless recorded by a counselor).
TWO_SIDED = frozenset({(St.OFFERED, St.SIGNED)})

CLOSING_REASONS: dict[AppState, dict[str, str]] = {
    St.REJECTED: {
        "not_qualified": "条件不符",
        "interview_failed": "面试未通过",
        "position_filled": "岗位已招满",
        "offer_rescinded": "企业撤回录用",
        "other": "其他原因",
    },
    St.WITHDRAWN: {
        "accepted_other_offer": "已接受其他岗位",
        "declined_offer": "婉拒录用",
        "not_interested": "岗位不合意",
        "further_study": "升学深造",
        "personal": "个人原因",
        "other": "其他原因",
    },
    St.EXPIRED: {
        "deadline_passed": "岗位截止",
        "position_closed": "岗位关闭",
        "no_response": "长期无回应",
    },
}


def allowed(frm: AppState | None, to: AppState, actor: Actor) -> bool:
    return actor in TRANSITIONS.get((frm, to), frozenset())


def targets(frm: AppState | None, actor: Actor) -> list[AppState]:
    """The states ``actor`` may move an application in state ``frm`` to."""
    return [to for (f, to), actors in TRANSITIONS.items() if f == frm and actor in actors]


def reason_problem(to: AppState, reason: str | None) -> str | None:
    """A reason in Chinese when the closing reason is missing or not one of the target's; else None."""
    options = CLOSING_REASONS.get(to)
    if options is None:
        return None if reason is None else "只有未录用、放弃、过期需要填写关闭原因"
    if not reason:
        return f"请选择{STATE_NAMES[to]}的原因"
    if reason not in options:
        return f"原因“{reason}”无效，可选：" + "、".join(f"{k}（{v}）" for k, v in options.items())
    return None


# ---- employment status (就业状态) derived from the pipeline and the events -------------------------------


class Status(StrEnum):
    """The codes of the ``employment_status`` enumeration (services/refdata/enums/employment_status.csv)."""

    UNEMPLOYED = "unemployed"
    SEEKING = "seeking"
    INTERNSHIP = "internship"
    SIGNED = "signed"
    EMPLOYED = "employed"
    GRASSROOTS = "grassroots"
    SELF_EMPLOYED = "self_employed"
    FURTHER_STUDY = "further_study"
    MILITARY = "military"
    NOT_SEEKING = "not_seeking"


STATUS_NAMES: dict[str, str] = {
    Status.UNEMPLOYED: "未就业",
    Status.SEEKING: "求职中",
    Status.INTERNSHIP: "见习实习中",
    Status.SIGNED: "已签约",
    Status.EMPLOYED: "已就业",
    Status.GRASSROOTS: "参加基层服务项目",
    Status.SELF_EMPLOYED: "自主创业/灵活就业",
    Status.FURTHER_STUDY: "升学深造",
    Status.MILITARY: "应征入伍",
    Status.NOT_SEEKING: "暂不就业",
}
# Statuses that count as "has a destination" (落实去向): the graduate is out of the 1131 caseload.
PLACED = frozenset(
    {
        Status.SIGNED,
        Status.EMPLOYED,
        Status.GRASSROOTS,
        Status.SELF_EMPLOYED,
        Status.FURTHER_STUDY,
        Status.MILITARY,
    }
)
# Destinations an employment event (就业) may record.
DESTINATIONS = frozenset(
    {Status.EMPLOYED, Status.GRASSROOTS, Status.SELF_EMPLOYED, Status.FURTHER_STUDY, Status.MILITARY}
)

# Position kinds of the catalog and the status a signed / employed application of that kind means.
KIND_DESTINATION: dict[str, Status] = {
    "job": Status.EMPLOYED,
    "internship": Status.INTERNSHIP,
    "work_study": Status.INTERNSHIP,
    "grassroots": Status.GRASSROOTS,
    "entrepreneurship": Status.SELF_EMPLOYED,
}

# Higher wins when several facts hold at once.
_RANK: dict[Status, int] = {
    Status.UNEMPLOYED: 0,
    Status.SEEKING: 1,
    Status.INTERNSHIP: 2,
    Status.SIGNED: 3,
    Status.FURTHER_STUDY: 4,
    Status.MILITARY: 4,
    Status.SELF_EMPLOYED: 5,
    Status.GRASSROOTS: 5,
    Status.EMPLOYED: 5,
}


@dataclass(frozen=True, slots=True)
class AppFact:
    state: AppState
    position_kind: str


@dataclass(frozen=True, slots=True)
class EventFact:
    kind: str  # EventKind code
    destination: str | None = None
    ongoing: bool = True  # for internships: still running on the day in question


def status_of_application(fact: AppFact) -> Status | None:
    """The status one application alone implies (None: it implies nothing)."""
    kind_status = KIND_DESTINATION.get(fact.position_kind, Status.EMPLOYED)
    if fact.state == AppState.EMPLOYED:
        return kind_status
    if fact.state == AppState.SIGNED:
        return Status.INTERNSHIP if kind_status == Status.INTERNSHIP else Status.SIGNED
    if fact.state in {AppState.APPLIED, AppState.INTERVIEWING, AppState.OFFERED}:
        return Status.SEEKING
    return None


def status_of_event(fact: EventFact) -> Status | None:
    if fact.kind == "employment":
        return Status(fact.destination) if fact.destination in DESTINATIONS else Status.EMPLOYED
    if fact.kind == "signing":
        return Status.SIGNED
    if fact.kind == "internship":
        return Status.INTERNSHIP if fact.ongoing else None
    if fact.kind in {"job_seeking", "negotiation"}:
        return Status.SEEKING
    return None


def derive(applications: Iterable[AppFact], events: Iterable[EventFact] = ()) -> Status:
    """The employment status the facts imply: the strongest of them, ``unemployed`` when none applies."""
    best = Status.UNEMPLOYED
    for status in [*map(status_of_application, applications), *map(status_of_event, events)]:
        if status is not None and _RANK[status] > _RANK[best]:
            best = status
    return best
