"""How booking pages and emails write times: in the practice's zone, with the zone's
abbreviation where a wall-clock time happens twice."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.formats import date_format, time_format

from backcourse.formats import format_day_time, local_format
from backcourse.practices.models import Practice


def when_text(practice: Practice, starts_at: datetime) -> str:
    """'Tuesday 1 December 2026, 14:00 CET' in the active language's formats."""
    local = starts_at.astimezone(practice.zone)
    return f"{format_day_time(local)} {local.tzname()}"


def day_label(practice: Practice, day: date) -> str:
    return date_format(day, local_format("WEEKDAY_MONTH_DAY_FORMAT"))


def local_time_label(practice: Practice, starts_at: datetime) -> str:
    """'09:00' (or '9:00 AM'), or '02:00 CEST' in a repeated autumn hour so both are
    distinct."""
    local = starts_at.astimezone(practice.zone)
    label = time_format(local)
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        label += f" {local.tzname()}"
    return label
