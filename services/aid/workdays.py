"""Working days of the mainland calendar: statutory holidays and swapped workdays (调休) from chinesecalendar.

For a year the calendar package does not cover yet (the State Council publishes holidays each December),
Monday–Friday are counted as working days; :func:`is_exact` tells a caller whether the answer is exact.
"""

from __future__ import annotations

from datetime import date, timedelta

import chinese_calendar

from services.clock import local_today

_KNOWN_YEARS = range(min(chinese_calendar.holidays).year, max(chinese_calendar.holidays).year + 1)


def is_exact(day: date) -> bool:
    """True when the statutory holiday schedule of ``day``'s year is known."""
    return day.year in _KNOWN_YEARS


def is_workday(day: date) -> bool:
    """Holidays and swapped workdays from chinesecalendar; Monday to Friday for years it does not cover yet."""
    if is_exact(day):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def next_workday(day: date) -> date:
    """``day`` itself when it is a working day, else the first working day after it."""
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def period_end(start: date, working_days: int) -> date:
    """The last day of a period that begins on ``start`` and lasts ``working_days`` working days.

    A period that begins on a holiday starts counting on the next working day.
    """
    if working_days < 1:
        raise ValueError("working_days must be at least 1")
    day = next_workday(start)
    counted = 1
    while counted < working_days:
        day += timedelta(days=1)
        if is_workday(day):
            counted += 1
    return day


def today() -> date:
    """Today in the service's time zone (Asia/Shanghai unless configured otherwise)."""
    return local_today()
