"""Field types shared by the request models of every domain."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, Field

# A moment typed by a client: it must carry its offset (2024-06-15T09:00:00+08:00); one without is refused with
# 422 naming the field, never read in some assumed zone.
ZonedDatetime = Annotated[AwareDatetime, Field(description="带时区的时间（ISO 8601），例如 2024-06-15T09:00:00+08:00")]
