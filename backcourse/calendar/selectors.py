"""Reads for the calendar grid: the therapists (columns), rooms, and the sessions of a
time range as events for the EventCalendar library."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.db.models import Max, Min
from django.urls import reverse

from backcourse.audit.services import access_events_record_many
from backcourse.clients.screening import flags_by_client
from backcourse.closures.days import closed_days
from backcourse.courses.models import Course
from backcourse.practices.access import clinical_client_ids, scoped_sessions
from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import Room, Session, WorkingHours
from backcourse.scheduling.selectors import calendar_load

# The grid's time axis when no working hours are set yet.
DEFAULT_DAY = (time(7), time(20))


def therapists(practice) -> list[StaffMember]:
    return list(
        StaffMember.objects.filter(practice=practice, is_active=True, takes_sessions=True)
        .select_related("user")
        .order_by("display_name", "user__last_name", "user__first_name", "id")
    )


def rooms(practice) -> list[Room]:
    return list(Room.objects.filter(practice=practice, is_active=True).order_by("name"))


def day_span(practice) -> tuple[str, str]:
    """The grid's time axis: from an hour before the earliest working hours start to an
    hour after the latest end ("HH:00"), so early and late sessions stay visible."""
    span = WorkingHours.objects.filter(
        therapist__practice=practice, therapist__is_active=True
    ).aggregate(first=Min("start_time"), last=Max("end_time"))
    first = span["first"] or DEFAULT_DAY[0]
    last = span["last"] or DEFAULT_DAY[1]
    first_hour = max(first.hour - 1, 0)
    last_hour = min(last.hour + (2 if last.minute else 1), 24)
    return f"{first_hour:02d}:00", f"{last_hour:02d}:00"


def local_naive(moment: datetime, zone) -> str:
    """An instant as the practice's wall-clock time, the form the grid works in."""
    return moment.astimezone(zone).replace(tzinfo=None).isoformat(timespec="minutes")


def active_course_of(client) -> Course | None:
    return (
        Course.objects.filter(client=client, status=Course.Status.ACTIVE)
        .order_by("-started_on", "-id")
        .first()
    )


def calendar_events(
    request, *, first: date, last: date, therapist_id: int | None = None, by: str = "therapist"
) -> list[dict]:
    """Sessions whose local start lies on first..last (inclusive), as grid events.

    Cancelled sessions are left out (their time is free again). Everything is fetched
    through `scoped_sessions`, so only the signed-in staff member's practice is seen.
    """
    zone = request.practice.zone
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    qs = (
        scoped_sessions(request)
        .exclude(status=Session.Status.CANCELLED)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("session_type")
        .order_by("starts_at", "id")
    )
    if therapist_id is not None:
        qs = qs.filter(therapist_id=therapist_id)
    sessions = list(qs)
    clinical_ids = clinical_client_ids(request.staff, {s.client_id for s in sessions})
    flags = flags_by_client({s.client_id for s in sessions})
    events = []
    for s in sessions:
        clinical = s.client_id in clinical_ids
        red = [f for f in flags.get(s.client_id, []) if f.is_red_flag]
        badges = []
        if red:
            badges.append("red_flag")
        # Hook for issue 11 (unpaid sessions): append "unpaid" here when the session
        # is not paid; the page already draws an "unpaid" badge for it.
        resource = s.room_id if by == "room" else s.therapist_id
        events.append(
            {
                "id": str(s.pk),
                "resourceIds": [str(resource)] if resource else [],
                "start": local_naive(s.starts_at, zone),
                "end": local_naive(s.ends_at, zone),
                "title": s.client.full_name,
                "classNames": [f"ev-{s.status}"],
                "editable": s.status == Session.Status.BOOKED,
                "extendedProps": {
                    "status": s.status,
                    "statusLabel": str(s.get_status_display()),
                    "therapist": s.therapist.name,
                    "room": s.room.name if s.room_id else "",
                    "type": s.session_type.name if s.session_type_id else "",
                    "badges": badges,
                    "flagTitles": [f.question for f in red] if clinical else [],
                    "course": s.course.complaint if (clinical and s.course_id) else "",
                    "clientUrl": reverse("clients:detail", args=[s.client_id]),
                    "recordUrl": (
                        reverse("records:edit", args=[s.pk]) if clinical and s.record_open else ""
                    ),
                },
            }
        )
    # Complaints and red-flag questions are health data: their read is logged.
    access_events_record_many(
        request=request,
        clients=[s.client for s in sessions if s.client_id in clinical_ids],
        what="calendar",
    )
    return events


def unavailable_events(
    request, *, first: date, last: date, therapist_id: int | None = None, by: str = "therapist"
) -> list[dict]:
    """Grey background blocks where a therapist cannot be booked (outside working hours,
    breaks, time off, closed days), so a free gap is seen at a glance. Therapist columns
    only: a room has no hours of its own."""
    if by != "therapist":
        return []
    practice = request.practice
    zone = practice.zone
    staff = [t for t in therapists(practice) if therapist_id is None or t.pk == therapist_id]
    ids = [t.pk for t in staff]
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(last + timedelta(days=1), time.min, tzinfo=zone).astimezone(UTC)
    # The same loader as the free-slot search; closed days are drawn as whole days below.
    cal = calendar_load(
        practice=practice,
        therapist_ids=ids,
        window=(start, end),
        with_rooms=False,
        with_sessions=False,
        with_closed=False,
    )
    working = {tid: cal.hours[i][0] for i, tid in enumerate(ids)}
    pauses = {tid: cal.hours[i][1] for i, tid in enumerate(ids)}
    off = [(tid, a, b) for i, tid in enumerate(ids) for a, b in cal.time_off[i]]
    closed = closed_days(practice, first, last)
    out = []

    def block(tid, a: str, b: str, kind: str) -> None:
        out.append(
            {
                "start": a,
                "end": b,
                "resourceIds": [str(tid)],
                "display": "background",
                "classNames": [f"bg-{kind}"],
            }
        )

    day = first
    while day <= last:
        iso = day.isoformat()
        for tid in ids:
            if day in closed:
                block(tid, f"{iso}T00:00", f"{iso}T24:00", "closed")
                continue
            cursor = "00:00"
            for a, b in sorted(working[tid].get(day.weekday(), [])):
                if f"{a:%H:%M}" > cursor:
                    block(tid, f"{iso}T{cursor}", f"{iso}T{a:%H:%M}", "off")
                cursor = max(cursor, f"{b:%H:%M}")
            if cursor < "24:00":
                block(tid, f"{iso}T{cursor}", f"{iso}T24:00", "off")
            for a, b in pauses[tid].get(day.weekday(), []):
                block(tid, f"{iso}T{a:%H:%M}", f"{iso}T{b:%H:%M}", "break")
        day += timedelta(days=1)
    for tid, a, b in off:
        block(tid, local_naive(max(a, start), zone), local_naive(min(b, end), zone), "timeoff")
    return out
