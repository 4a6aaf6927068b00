"""Structured JSON logs that never carry an ID number, a bank card or a phone number."""

from __future__ import annotations

import json
import logging
import re
import sys
from datetime import UTC, datetime

# 11+ consecutive digits (phones, cards, IDs, with a trailing X) are replaced before anything is written.
_SENSITIVE = re.compile(r"(?<!\d)\d{6,}[\dXx]{5,}(?!\d)")


def scrub(text: str) -> str:
    return _SENSITIVE.sub("[已隐藏]", text)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "msg": scrub(record.getMessage()),
        }
        if record.exc_info:
            payload["exc"] = scrub(self.formatException(record.exc_info))
        return json.dumps(payload, ensure_ascii=False)


def configure(level: str = "INFO") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonFormatter())
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
