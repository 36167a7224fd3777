"""How booking pages and emails write times: in the practice's zone, with the zone's
abbreviation where a wall-clock time happens twice."""

from __future__ import annotations

from datetime import date, datetime

from django.utils.formats import date_format

from backcourse.practices.models import Practice


def when_text(practice: Practice, starts_at: datetime) -> str:
    return date_format(starts_at.astimezone(practice.zone), "l, j F Y, H:i T")


def day_label(practice: Practice, day: date) -> str:
    return date_format(day, "l, j F")


def local_time_label(practice: Practice, starts_at: datetime) -> str:
    """'09:00', or '02:00 CEST' in a repeated autumn hour so both are distinct."""
    local = starts_at.astimezone(practice.zone)
    label = local.strftime("%H:%M")
    other = local.replace(fold=1 - local.fold)
    if other.utcoffset() != local.utcoffset():
        label += f" {local.tzname()}"
    return label
