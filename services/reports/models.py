"""Stage snapshots (阶段性情况报告) and report jobs.

A snapshot is immutable: the tables as they stood on a day, stored as JSON with the SHA-256 of its canonical
form. The ORM refuses to update or delete one (see ``service``); no route offers either.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.db import Base, utcnow


class JobStatus(StrEnum):
    QUEUED = "queued"  # 排队中
    RUNNING = "running"  # 生成中
    SUCCEEDED = "succeeded"  # 已生成，可下载
    FAILED = "failed"  # 生成失败


class ReportSnapshot(Base):
    """The report tables of one scope on one day, frozen: content JSON plus its content hash."""

    __tablename__ = "report_snapshot"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the scope's unit
    kind: Mapped[str] = mapped_column(String(16), default="stage")  # stage / manual
    label: Mapped[str] = mapped_column(String(200))
    as_of: Mapped[date] = mapped_column(Date, index=True)
    year: Mapped[int] = mapped_column(Integer)
    tables: Mapped[list[str]] = mapped_column(JSON)  # table codes inside content
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    content_sha256: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReportJob(Base):
    """A report built in the background (Celery ``sunshine.reports.build``) and downloaded when ready."""

    __tablename__ = "report_job"

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_unit.id"), index=True)  # the requester's unit
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"), index=True)
    report: Mapped[str] = mapped_column(String(16))  # annex7 / annex8 / annex9
    file_format: Mapped[str] = mapped_column(String(8))  # csv / xlsx / json
    params: Mapped[dict[str, Any]] = mapped_column(JSON)  # as_of, year, cohort, county_id, chart
    scope_ids: Mapped[list[int] | None] = mapped_column(JSON)  # the requester's scope at request time; None = all
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED, index=True)
    file_path: Mapped[str | None] = mapped_column(String(400))
    file_name: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    sha256: Mapped[str | None] = mapped_column(String(64))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
