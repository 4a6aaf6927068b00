"""The inbox as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class NotificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str = Field(examples=["tracking"], description="写入消息的模块：tracking（全流程跟踪）、aid（金秋助学）")
    kind: str = Field(examples=["follow_up"])
    title: str = Field(examples=["回访提醒：陈同学"])
    body: str
    link: str | None
    is_read: bool
    read_at: datetime | None
    created_at: datetime
