"""Notifications' public surface: the one inbox other domains write to.

Other domains send messages through :func:`notify` and :func:`notify_once` and read one back by id (a reminder
keeps its message's id); the inbox table itself is not published — the list and mark-read belong to this domain's
router and console page.
"""

from __future__ import annotations

from services.notifications.service import get_notification, notify, notify_once

__all__ = ["get_notification", "notify", "notify_once"]
