from datetime import UTC, date, datetime, time, timedelta

from backcourse.closures.days import closed_days
from backcourse.scheduling.models import Session


def sessions_on_closed_days(practice, first: date, last: date) -> list[tuple[date, str, list]]:
    """Booked sessions that fall on a closed day, by day: they need a new time."""
    days = closed_days(practice, first, last)
    if not days:
        return []
    zone = practice.zone
    start = datetime.combine(min(days), time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(max(days) + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    by_day: dict[date, list] = {day: [] for day in days}
    for s in (
        Session.objects.filter(
            practice=practice,
            status=Session.Status.BOOKED,
            starts_at__gte=start,
            starts_at__lt=end,
        )
        .select_related("client", "therapist__user")
        .order_by("starts_at")
    ):
        local = s.starts_at.astimezone(zone)
        if local.date() in by_day:
            s.local = local
            by_day[local.date()].append(s)
    return [(day, days[day], rows) for day, rows in by_day.items() if rows]
