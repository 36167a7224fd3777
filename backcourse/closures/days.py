"""Which days a practice is closed: its public holidays and its own closure days.

`closed_days` answers in the practice's calendar; `closed_ranges` turns that into UTC
ranges (midnight to midnight in the practice's zone) for the availability search."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache

import holidays as holidays_lib

from backcourse.closures.models import ClosureDay


def supported_countries() -> list[str]:
    """Country codes the holidays package knows."""
    return sorted(c for c in holidays_lib.list_supported_countries() if len(c) == 2)


def is_public_holiday(practice, day: date) -> bool:
    return day in public_holidays(practice.country, practice.region, day, day)


def supported_subdivisions(country: str) -> list[str]:
    return list(holidays_lib.list_supported_countries().get(country, []))


@lru_cache(maxsize=256)
def _public(country: str, subdivision: str, year: int) -> dict[date, str]:
    # Cached per process: the rules are fixed data of the installed package.
    try:
        found = holidays_lib.country_holidays(country, subdiv=subdivision or None, years=year)
    except NotImplementedError:
        return {}
    return dict(found.items())


def public_holidays(country: str, subdivision: str, first: date, last: date) -> dict[date, str]:
    if not country:
        return {}
    out: dict[date, str] = {}
    for year in range(first.year, last.year + 1):
        for day, name in _public(country, subdivision, year).items():
            if first <= day <= last:
                out[day] = name
    return out


def closed_days(practice, first: date, last: date) -> dict[date, str]:
    """Day -> why it is closed, for first..last (inclusive)."""
    out = public_holidays(practice.country, practice.region, first, last)
    for day, reason in ClosureDay.objects.filter(
        practice=practice, day__gte=first, day__lte=last
    ).values_list("day", "reason"):
        out[day] = reason or out.get(day, "")
    return dict(sorted(out.items()))


def closed_ranges(practice, start: datetime, end: datetime) -> list[tuple[datetime, datetime]]:
    """The closed days touching [start, end) as UTC ranges, midnight to midnight in
    the practice's time zone."""
    zone = practice.zone
    first = start.astimezone(zone).date()
    last = (end - timedelta(microseconds=1)).astimezone(zone).date()
    return [
        (
            datetime.combine(day, time.min, tzinfo=zone).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC),
        )
        for day in closed_days(practice, first, last)
    ]
