"""Codes shown as their names: the reference enumerations (``refdata``), the pipeline's and matcher's names, and
the names of the tracking enumerations the forms offer."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.orm import Session

from matching.records import KIND_NAMES
from services.refdata import service as refdata
from services.refdata.enums import Vocabularies, vocabularies
from services.tracking import pipeline
from services.tracking.models import ContactChannel, ContactOutcome, HandoffState, ServiceKind

STATE_NAMES = pipeline.STATE_NAMES
STATUS_NAMES = pipeline.STATUS_NAMES
POSITION_KINDS = KIND_NAMES

CONTACT_CHANNELS: dict[str, str] = {
    ContactChannel.PHONE: "电话",
    ContactChannel.VISIT: "走访",
    ContactChannel.MESSAGE: "短信/微信",
    ContactChannel.MEETING: "座谈/谈心",
}
CONTACT_OUTCOMES: dict[str, str] = {
    ContactOutcome.REACHED: "已联系上",
    ContactOutcome.NOT_REACHED: "未联系上",
    ContactOutcome.NEEDS_HELP: "提出帮扶需求",
    ContactOutcome.RESOLVED: "问题已解决",
}
SERVICE_KINDS: dict[str, str] = {
    ServiceKind.POLICY_BRIEFING: "政策宣介",
    ServiceKind.CAREER_GUIDANCE: "职业指导",
    ServiceKind.JOB_RECOMMENDATION: "岗位推荐",
    ServiceKind.TRAINING_OFFER: "提供培训机会",
    ServiceKind.INTERNSHIP_OFFER: "提供见习实习机会",
    ServiceKind.INTERVIEW_COACHING: "面试辅导",
    ServiceKind.ENTREPRENEURSHIP_GUIDANCE: "创业指导",
    ServiceKind.JOB_FAIR: "组织参加招聘会",
}
HANDOFF_STATES: dict[str, str] = {
    HandoffState.PENDING: "待接收",
    HandoffState.ACCEPTED: "已接收（异地服务中）",
    HandoffState.DECLINED: "已拒绝",
    HandoffState.ENDED: "已结束",
}


class Names:
    """The names of a request's enumeration codes, read once: ``names.of("education", "31")`` → "大学专科"."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._vocabularies: Vocabularies | None = None

    def of(self, key: str, code: str | None) -> str:
        if code is None or code == "":
            return ""
        if self._vocabularies is None:
            self._vocabularies = vocabularies(self._session)
        if key not in self._vocabularies:
            return code
        return self._vocabularies[key].name(code) or code

    def options(self, key: str) -> list[tuple[str, str]]:
        if self._vocabularies is None:
            self._vocabularies = vocabularies(self._session)
        if key not in self._vocabularies:
            return []
        return list(self._vocabularies[key].names.items())

    def places(self, codes: Iterable[str]) -> dict[str, str]:
        wanted = [c for c in codes if c]
        return refdata.division_names(self._session, codes=wanted) if wanted else {}

    def occupations(self, codes: Iterable[str]) -> dict[str, str]:
        wanted = [c for c in codes if c]
        return refdata.occupation_names(self._session, codes=wanted) if wanted else {}
