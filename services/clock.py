"""The service's calendar day: deadlines, notice periods and follow-ups are dates in China, not in UTC."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.config import get_settings


def local_today() -> date:
    """Today in the configured time zone (Asia/Shanghai by default)."""
    return datetime.now(ZoneInfo(get_settings().timezone)).date()
