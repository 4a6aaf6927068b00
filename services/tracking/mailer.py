"""E-mail for reminders over plain SMTP (``SUNSHINE_SMTP_HOST``); without a host nothing is sent."""

from __future__ import annotations

import logging
import smtplib
from email.message import EmailMessage

from services.config import get_settings

log = logging.getLogger(__name__)


def configured() -> bool:
    return bool(get_settings().smtp_host)


def send(*, to: str, subject: str, body: str) -> bool:
    """Send one plain-text message; False (logged) when the server refuses or cannot be reached."""
    settings = get_settings()
    if not settings.smtp_host:
        return False
    message = EmailMessage()
    message["From"] = settings.smtp_sender
    message["To"] = to
    message["Subject"] = subject
    message.set_content(body)
    try:
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=15) as smtp:
            smtp.send_message(message)
    except (smtplib.SMTPException, OSError) as exc:
        log.warning("reminder e-mail to %s failed: %s", to.split("@")[-1], exc)
        return False
    return True
