"""The therapist's calendar: the day, the week, booking a session, status buttons."""

from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backcourse.audit.services import access_events_record_many
from backcourse.billing.selectors import fee_notice, package_notice
from backcourse.clients.screening import flags_by_client
from backcourse.practices.access import (
    access_client,
    access_course,
    access_session,
    scoped_sessions,
    staff_required,
)
from backcourse.practices.models import StaffMember
from backcourse.practices.roles import Perm
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.forms import SessionForm, StatusForm, overrides_confirmed
from backcourse.scheduling.models import Session
from backcourse.scheduling.services import session_book, session_status_set
from backcourse.security.limits import FIRST_DATE, LAST_DATE, date_is_plausible
from backcourse.security.redirects import safe_next_url


def _local_today(request: HttpRequest) -> date:
    return timezone.now().astimezone(request.practice.zone).date()


def _parse_date(value: str | None, request: HttpRequest | None = None) -> date | None:
    """The date in `?date=` / `?start=`, or None (today) with a message when it is not
    a date or not a plausible one (security/limits.py)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        day = None
        if request is not None:
            messages.error(
                request, _("“%(value)s” is not a date; showing today.") % {"value": value[:20]}
            )
    if day is not None and not date_is_plausible(day):
        if request is not None:
            messages.error(
                request,
                _("Choose a date between %(first)s and %(last)s; showing today.")
                % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
            )
        return None
    return day


def _therapist_filter(request: HttpRequest):
    """(selected value, staff or None for all, choices). Default: my own sessions."""
    therapists = list(
        StaffMember.objects.filter(
            practice=request.practice, is_active=True, takes_sessions=True
        ).select_related("user")
    )
    wanted = request.GET.get("therapist")
    if wanted is None:
        wanted = str(request.staff.pk) if request.staff.takes_sessions else "all"
    chosen = next((t for t in therapists if str(t.pk) == wanted), None)
    if chosen is None:
        wanted = "all"
    return wanted, chosen, therapists


def _sessions(request: HttpRequest, first: date, days: int, therapist) -> list[Session]:
    """Sessions whose local start lies on `first` .. `first + days - 1`, with their
    number in the course and whether a record exists — in three queries."""
    zone = request.practice.zone
    now = timezone.now()
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=days), time.min, tzinfo=zone).astimezone(UTC)
    qs = (
        scoped_sessions(request)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related("record", "session_type")
        .order_by("starts_at", "id")
    )
    if therapist is not None:
        qs = qs.filter(therapist=therapist)
    sessions = list(qs)
    numbers = _numbers_in_course({s.course_id for s in sessions if s.course_id})
    flags = flags_by_client({s.client_id for s in sessions})
    for s in sessions:
        s.flags = flags[s.client_id]
        s.local = s.starts_at.astimezone(zone)
        s.local_end = s.ends_at.astimezone(zone)
        s.number = numbers.get(s.pk)
        # The model's transition table decides which buttons exist right now.
        s.buttons = [(st, Session.Status(st).label) for st in s.next_statuses(now)]
    return sessions


def _numbers_in_course(course_ids: set[int]) -> dict[int, int]:
    """session pk -> 1-based position among its course's non-cancelled sessions."""
    if not course_ids:
        return {}
    counters: dict[int, int] = defaultdict(int)
    numbers = {}
    rows = (
        Session.objects.active()
        .filter(course_id__in=course_ids)
        .order_by("starts_at", "id")
        .values_list("pk", "course_id")
    )
    for pk, course_id in rows:
        counters[course_id] += 1
        numbers[pk] = counters[course_id]
    return numbers


@staff_required(perm=Perm.SCHEDULE)
def day(request: HttpRequest) -> HttpResponse:
    today = _local_today(request)
    the_day = _parse_date(request.GET.get("date"), request) or today
    selected, therapist, therapists = _therapist_filter(request)
    sessions = _sessions(request, the_day, 1, therapist)
    access_events_record_many(
        request=request, clients=[s.client for s in sessions], what=f"day view {the_day}"
    )
    return render(
        request,
        "scheduling/day.html",
        {
            "nav": "day",
            "day": the_day,
            "today": today,
            "prev_day": the_day - timedelta(days=1),
            "next_day": the_day + timedelta(days=1),
            "sessions": sessions,
            "selected": selected,
            "therapists": therapists,
            "show_therapist": therapist is None,
            "keep": [("date", the_day.isoformat())],
        },
    )


@staff_required(perm=Perm.SCHEDULE)
def week(request: HttpRequest) -> HttpResponse:
    today = _local_today(request)
    start = _parse_date(request.GET.get("start"), request) or today
    start -= timedelta(days=start.weekday())  # weeks start on Monday
    selected, therapist, therapists = _therapist_filter(request)
    by_day: dict[date, list[Session]] = defaultdict(list)
    shown = _sessions(request, start, 7, therapist)
    access_events_record_many(
        request=request, clients=[s.client for s in shown], what=f"week view {start}"
    )
    for s in shown:
        by_day[s.local.date()].append(s)
    days = [(start + timedelta(days=i)) for i in range(7)]
    return render(
        request,
        "scheduling/week.html",
        {
            "nav": "week",
            "start": start,
            "end": start + timedelta(days=6),
            "today": today,
            "prev_week": start - timedelta(days=7),
            "next_week": start + timedelta(days=7),
            "days": [(d, by_day.get(d, [])) for d in days],
            "selected": selected,
            "therapists": therapists,
            "show_therapist": therapist is None,
            "keep": [("start", start.isoformat())],
        },
    )


@staff_required(perm=Perm.SCHEDULE)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    """Book a session, prefilled from the client or course page (?client= / ?course=)."""
    course = client = None
    if request.GET.get("course"):
        course = access_course(
            request, request.GET["course"], perm=Perm.SCHEDULE, audit_what="session booking form"
        )
        client = course.client
    elif request.GET.get("client"):
        client = access_client(request, request.GET["client"], audit_what="session booking form")
    form_kwargs = {"practice": request.practice, "client": client}
    overrides = overrides_confirmed(request.POST) if request.method == "POST" else []
    overridable = ""
    if request.method == "POST":
        form = SessionForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = session_book(
                    practice=request.practice,
                    therapist=data["therapist"],
                    client=data["client"],
                    course=data["course"],
                    room=data["room"],
                    starts_at=form.starts_at(),
                    duration_minutes=data["duration_minutes"],
                    by=request.user,
                    overrides=overrides,
                )
            except SchedulingError as exc:
                form.add_error(None, exc.message)
                overridable = exc.code if exc.overridable else ""
            else:
                messages.success(request, _("Session booked."))
                if notice := package_notice(session):  # the client's package: covered or not
                    messages.info(request, notice)
                local = session.starts_at.astimezone(request.practice.zone)
                return redirect(
                    f"{reverse('scheduling:day')}?date={local.date().isoformat()}"
                    f"&therapist={session.therapist_id}"
                )
        status = 400
    else:
        therapist = (course.therapist if course else None) or (
            request.staff if request.staff.takes_sessions else None
        )
        form = SessionForm(
            initial={
                "therapist": therapist,
                "client": client,
                "course": course,
                "date": _parse_date(request.GET.get("date")) or _local_today(request),
                "duration_minutes": 60,
            },
            **form_kwargs,
        )
        status = 200
    # The course list names each client's complaint: a read of their health data.
    access_events_record_many(
        request=request,
        clients=[c.client for c in form.fields["course"].queryset.select_related("client")],
        what="session booking form",
    )
    return render(
        request,
        "scheduling/session_form.html",
        {
            "form": form,
            "client": client,
            "course": course,
            "nav": "day",
            "overrides": overrides,
            "overridable": overridable,
        },
        status=status,
    )


@staff_required(perm=Perm.SCHEDULE)
@require_POST
def session_status(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(request, pk)
    form = StatusForm(request.POST)
    local = session.starts_at.astimezone(request.practice.zone)
    back = safe_next_url(
        request,
        request.POST.get("next"),
        f"{reverse('scheduling:day')}?date={local.date().isoformat()}",
    )
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
        return redirect(back)
    try:
        session_status_set(session=session, status=form.cleaned_data["status"], by=request.user)
    except SchedulingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(client)s at %(time)s: %(status)s.")
            % {
                "client": session.client.full_name,
                "time": local.strftime("%H:%M"),
                "status": session.get_status_display(),
            },
        )
        if notice := fee_notice(session):  # a no-show / late-cancellation fee proposed
            messages.info(request, notice)
    return redirect(back)
