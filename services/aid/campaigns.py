"""Campaign years and aid standards: the bundled yearly configuration, its dates and caps."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.aid.guards import CENT, money
from services.aid.models import (
    AidAward,
    AidCampaign,
    AidStandard,
    AmountBasis,
    ApplicationKind,
    EducationStage,
    FundSource,
)
from services.errors import Conflict, NotFound, ValidationFailed


@dataclass(frozen=True, slots=True)
class StandardSpec:
    code: str
    name: str
    fund_source: str
    archived_family: bool
    stages: list[str]
    kinds: list[str]
    basis: str
    cap: Decimal
    max_awards_per_year: int = 1
    new_enrolment_first: bool = False
    donor: str | None = None
    legal_basis: str = ""


def bundled_config() -> dict[str, Any]:
    text = resources.files("services.aid").joinpath("data", "campaigns.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def _check_spec(spec: StandardSpec) -> None:
    if spec.fund_source not in {f.value for f in FundSource}:
        raise ValidationFailed(f"资金来源“{spec.fund_source}”无效", field="fund_source")
    if spec.basis not in {b.value for b in AmountBasis}:
        raise ValidationFailed(f"发放依据“{spec.basis}”无效", field="basis")
    stages = {s.value for s in EducationStage}
    if not spec.stages or any(s not in stages for s in spec.stages):
        raise ValidationFailed("教育阶段无效", field="stages")
    kinds = {k.value for k in ApplicationKind}
    if not spec.kinds or any(k not in kinds for k in spec.kinds):
        raise ValidationFailed("申请类型无效", field="kinds")
    if spec.cap <= 0 or spec.cap != spec.cap.quantize(CENT):
        raise ValidationFailed("标准金额须为正数，最多两位小数", field="cap")
    if spec.max_awards_per_year < 1:
        raise ValidationFailed("每年资助次数至少为1", field="max_awards_per_year")
    if spec.fund_source == FundSource.DONATION and (spec.basis != AmountBasis.DESIGNATED or not spec.donor):
        raise ValidationFailed("捐款资助须写明捐赠方，并按捐赠方指定的标准发放", field="donor")


def upsert_standard(session: Session, *, year: int, spec: StandardSpec) -> AidStandard:
    _check_spec(spec)
    row = session.scalar(select(AidStandard).where(AidStandard.year == year, AidStandard.code == spec.code))
    if row is None:
        row = AidStandard(year=year, code=spec.code)
        session.add(row)
    elif row.cap != spec.cap and session.scalar(select(AidAward.id).where(AidAward.standard_id == row.id).limit(1)):
        raise Conflict("该标准已有资助记录，不能再改金额；请新增一条标准", field="cap")
    row.name, row.fund_source, row.archived_family = spec.name, spec.fund_source, spec.archived_family
    row.stages, row.kinds, row.basis = list(spec.stages), list(spec.kinds), spec.basis
    row.cap, row.max_awards_per_year = money(spec.cap), spec.max_awards_per_year
    row.new_enrolment_first, row.donor, row.legal_basis = spec.new_enrolment_first, spec.donor, spec.legal_basis
    row.active = True
    session.flush()
    return row


def upsert_campaign(
    session: Session,
    *,
    year: int,
    name: str,
    archives_due: date,
    paper_files_due: date,
    stage_report_due: date,
    final_report_due: date,
    notice_working_days: int = 5,
    warn_days_before: int = 7,
) -> AidCampaign:
    for label, due in (
        ("archives_due", archives_due),
        ("paper_files_due", paper_files_due),
        ("stage_report_due", stage_report_due),
        ("final_report_due", final_report_due),
    ):
        if due.year != year:
            raise ValidationFailed(f"截止日期须在{year}年内", field=label)
    if notice_working_days < 1:
        raise ValidationFailed("公示期至少1个工作日", field="notice_working_days")
    if not 0 <= warn_days_before <= 60:
        raise ValidationFailed("提前提醒天数应在0至60之间", field="warn_days_before")
    row = session.scalar(select(AidCampaign).where(AidCampaign.year == year))
    if row is None:
        row = AidCampaign(year=year)
        session.add(row)
    row.name, row.notice_working_days, row.warn_days_before = name, notice_working_days, warn_days_before
    row.archives_due, row.paper_files_due = archives_due, paper_files_due
    row.stage_report_due, row.final_report_due = stage_report_due, final_report_due
    session.flush()
    return row


def load_year(session: Session, *, year: int, config: dict[str, Any] | None = None) -> AidCampaign:
    """Load one year's campaign settings and standards from the bundled (or a given) configuration.

    A year absent from the file takes the newest configured year's rules with the dates moved to ``year``.
    """
    data = config or bundled_config()
    campaigns: dict[str, Any] = data["campaigns"]
    if not campaigns:
        raise ValidationFailed("配置文件中没有任何年度", field="campaigns")
    base_year = str(year) if str(year) in campaigns else max(campaigns, key=int)
    spec = campaigns[base_year]

    def moved(text: str) -> date:
        d = date.fromisoformat(text)
        return d.replace(year=year)

    campaign = upsert_campaign(
        session,
        year=year,
        name=str(spec["name"]).replace(base_year, str(year)),
        archives_due=moved(spec["archives_due"]),
        paper_files_due=moved(spec["paper_files_due"]),
        stage_report_due=moved(spec["stage_report_due"]),
        final_report_due=moved(spec["final_report_due"]),
        notice_working_days=int(spec.get("notice_working_days", 5)),
        warn_days_before=int(spec.get("warn_days_before", 7)),
    )
    for item in spec["standards"]:
        upsert_standard(
            session,
            year=year,
            spec=StandardSpec(
                code=item["code"],
                name=item["name"],
                fund_source=item["fund_source"],
                archived_family=bool(item["archived_family"]),
                stages=list(item["stages"]),
                kinds=list(item["kinds"]),
                basis=item["basis"],
                cap=Decimal(item["cap"]),
                max_awards_per_year=int(item.get("max_awards_per_year", 1)),
                new_enrolment_first=bool(item.get("new_enrolment_first", False)),
                donor=item.get("donor"),
                legal_basis=item.get("legal_basis", ""),
            ),
        )
    return campaign


def get_campaign(session: Session, *, year: int) -> AidCampaign:
    row = session.scalar(select(AidCampaign).where(AidCampaign.year == year))
    if row is None:
        raise NotFound(f"{year}年度的助学活动尚未配置")
    return row


def list_standards(session: Session, *, year: int) -> list[AidStandard]:
    return list(session.scalars(select(AidStandard).where(AidStandard.year == year).order_by(AidStandard.id)))


def get_standard(session: Session, *, year: int, code: str) -> AidStandard:
    row = session.scalar(select(AidStandard).where(AidStandard.year == year, AidStandard.code == code))
    if row is None or not row.active:
        raise ValidationFailed(f"{year}年度没有代码为“{code}”的资助标准", field="standard_code")
    return row
