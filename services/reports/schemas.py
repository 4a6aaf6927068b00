from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

ReportCode = Literal["annex7", "annex8", "annex9"]
FileFormat = Literal["json", "csv", "xlsx"]


class ColumnOut(BaseModel):
    key: str = Field(examples=["employment_rate"])
    label: str = Field(examples=["就业率"])
    group: str = Field(examples=["已落实去向（人）"])
    unit: str = Field(examples=["%"])
    kind: str = Field(examples=["rate"])
    definition: str | None = Field(default=None, examples=["已落实去向人数 ÷ 登记毕业生人数 × 100，保留两位小数"])
    measure: str | None = Field(default=None, examples=["graduate_statuses"])


class TableColumnsOut(BaseModel):
    code: str = Field(examples=["annex9"])
    title: str = Field(examples=["困难职工家庭高校毕业生阳光就业暖心行动统计表"])
    note: str
    row_dims: list[str] = Field(examples=[["county", "cohort"]])
    columns: list[ColumnOut]


class RowOut(BaseModel):
    county_id: int | None = Field(examples=[4])
    county_code: str = Field(examples=["BZ-MC"])
    county_name: str = Field(examples=["蒙城县总工会"])
    cohort: int | None = Field(examples=[2023])
    values: dict[str, int | Decimal | None] = Field(examples=[{"registered": 120, "employment_rate": "85.00"}])


class TableOut(BaseModel):
    code: str
    title: str
    note: str
    row_dims: list[str]
    columns: list[ColumnOut]
    rows: list[RowOut]
    total: RowOut


class ReportOut(BaseModel):
    code: str = Field(examples=["annex9"])
    title: str = Field(examples=["附件9 困难职工家庭高校毕业生阳光就业暖心行动统计表"])
    unit_name: str = Field(examples=["蒙城县总工会"])
    as_of: date = Field(examples=["2023-08-29"])
    year: int = Field(examples=[2023])
    cohorts: list[int] | None = Field(examples=[[2023]])
    tables: list[TableOut]


class SnapshotCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    as_of: date | None = Field(default=None, description="统计日期，默认今天", examples=["2023-08-29"])
    year: int | None = Field(
        default=None, ge=2000, le=2100, description="统计年度，默认统计日期所在年度", examples=[2023]
    )
    label: str | None = Field(default=None, max_length=200, examples=["2023年阶段性情况报告（截至8月29日）"])


class SnapshotOut(BaseModel):
    id: int
    org_unit_id: int
    kind: str = Field(examples=["stage"])
    label: str
    as_of: date
    year: int
    tables: list[str]
    content_sha256: str
    intact: bool = Field(description="内容与保存时的哈希一致")
    created_by_id: int | None
    created_at: datetime


class SnapshotDetail(SnapshotOut):
    content: dict[str, ReportOut]


class CellChangeOut(BaseModel):
    column: str = Field(examples=["registered"])
    label: str = Field(examples=["登记毕业生"])
    before: Decimal | None = Field(examples=["100"])
    after: Decimal | None = Field(examples=["120"])
    change: Decimal | None = Field(examples=["20"])


class RowChangeOut(BaseModel):
    table: str = Field(examples=["annex9"])
    county_id: int | None
    county_name: str
    cohort: int | None
    status: str = Field(examples=["changed"])
    cells: list[CellChangeOut]


class SnapshotDiffOut(BaseModel):
    base: SnapshotOut
    target: SnapshotOut
    rows: list[RowChangeOut]


class RatePointOut(BaseModel):
    as_of: date
    registered: int
    placed: int
    rate: Decimal | None = Field(examples=["85.00"])
    source: str = Field(examples=["history"])
    snapshot_id: int | None = None


class RateSeriesOut(BaseModel):
    unit_name: str
    cohorts: list[int] | None
    county_id: int | None
    points: list[RatePointOut]


class JobCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report: ReportCode = Field(examples=["annex9"])
    format: FileFormat = Field(default="xlsx", examples=["xlsx"])
    as_of: date | None = Field(default=None, examples=["2023-11-28"])
    year: int | None = Field(default=None, ge=2000, le=2100, examples=[2023])
    cohorts: list[int] | None = Field(default=None, max_length=20, examples=[[2022, 2023]])
    county_id: int | None = Field(default=None, examples=[4])
    chart: bool = Field(default=False, description="xlsx 中附就业率柱状图")


class JobOut(BaseModel):
    id: int
    report: str
    file_format: str
    params: dict[str, Any]
    status: str = Field(examples=["succeeded"])
    file_name: str | None
    size_bytes: int | None
    sha256: str | None
    error: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    download_url: str | None = Field(examples=["/api/v1/reports/jobs/1/file"])
