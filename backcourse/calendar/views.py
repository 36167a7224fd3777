"""The front desk's calendar: a time grid (day: one column per therapist or room; week:
one therapist), its JSON feed, click-to-book and drag-to-move.

Views are thin: parse, fetch through the access helpers, call `actions` (the adapter to
the session service), answer. Refusals carry the service's message unchanged.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from backcourse.calendar import actions, selectors
from backcourse.calendar.forms import CalendarBookingForm
from backcourse.lib.slots import local_to_utc
from backcourse.practices.access import access_client, access_session, staff_required
from backcourse.practices.models import StaffMember
from backcourse.scheduling.services import STAFF_OVERRIDABLE
from backcourse.waitlist.services import waitlist_offers_make

VIEWS = {"day": "resourceTimeGridDay", "week": "timeGridWeek"}


def _parse_date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def _parse_local(value: str | None) -> datetime | None:
    """A wall-clock time in the practice's zone as the grid sends it (no offset)."""
    try:
        local = datetime.fromisoformat(value) if value else None
    except ValueError:
        return None
    return local.replace(tzinfo=None) if local else None


def _today(request: HttpRequest) -> date:
    return timezone.now().astimezone(request.practice.zone).date()


def _therapist(request: HttpRequest, value) -> StaffMember | None:
    try:
        pk = int(value)
    except (TypeError, ValueError):
        return None
    return StaffMember.objects.filter(
        practice=request.practice, pk=pk, is_active=True, takes_sessions=True
    ).first()


def _confirmed_overrides(request: HttpRequest) -> list[str]:
    """Rules the person at the desk confirmed to book around (ticked after a refusal)."""
    return [c for c in request.POST.getlist("overrides") if c in STAFF_OVERRIDABLE]


@staff_required
@require_GET
def calendar_page(request: HttpRequest) -> HttpResponse:
    view = request.GET.get("view", "day")
    if view not in VIEWS:
        view = "day"
    by = "room" if request.GET.get("by") == "room" else "therapist"
    the_date = _parse_date(request.GET.get("date")) or _today(request)
    therapists = selectors.therapists(request.practice)
    therapist = _therapist(request, request.GET.get("therapist"))
    if view == "week" and therapist is None:
        own = request.staff if request.staff.takes_sessions else None
        therapist = own or (therapists[0] if therapists else None)
    client = None
    if request.GET.get("client"):
        client = access_client(request, request.GET["client"])
    rooms = selectors.rooms(request.practice)
    if by == "room":
        resources = [{"id": str(r.pk), "title": r.name} for r in rooms]
    else:
        resources = [{"id": str(t.pk), "title": t.name} for t in therapists]
    first, last = selectors.day_span(request.practice)
    config = {
        "view": VIEWS[view],
        "date": the_date.isoformat(),
        "by": by,
        "resources": resources,
        "therapist": str(therapist.pk) if (view == "week" and therapist) else "",
        "client": str(client.pk) if client else "",
        "slotMinTime": first,
        "slotMaxTime": last,
        "eventsUrl": reverse("calendar:events"),
        "bookUrl": reverse("calendar:book"),
        "moveUrl": reverse("calendar:move", args=[0]),
        "locale": request.LANGUAGE_CODE,
        "labels": {
            "redFlag": _("Red flag"),
            "unpaid": _("Unpaid"),
            "moved": _("Moved."),
            "refused": _("Not moved:"),
            "anyway": _("Move it anyway?"),
            "failed": _("The calendar could not reach the server. Nothing was changed."),
            "today": _("Today"),
            "day": _("Day"),
            "week": _("Week"),
        },
    }
    return render(
        request,
        "calendar/calendar.html",
        {
            "nav": "calendar",
            "config": config,
            "view": view,
            "by": by,
            "the_date": the_date,
            "therapists": therapists,
            "therapist": therapist,
            "client": client,
            "has_rooms": bool(rooms),
            "zone": request.practice.time_zone,
        },
    )


@staff_required
@require_GET
def events(request: HttpRequest) -> JsonResponse:
    """Events for the grid between `start` (inclusive) and `end` (exclusive) dates."""
    first = _parse_date(request.GET.get("start"))
    end = _parse_date(request.GET.get("end"))
    if first is None or end is None or end <= first or (end - first).days > 42:
        return JsonResponse(
            {"error": _("Give a start and end date at most six weeks apart.")}, status=400
        )
    therapist = (
        _therapist(request, request.GET.get("therapist")) if request.GET.get("therapist") else None
    )
    by = "room" if request.GET.get("by") == "room" else "therapist"
    data = selectors.calendar_events(
        request,
        first=first,
        last=end - timedelta(days=1),
        therapist_id=therapist.pk if therapist else None,
        by=by,
    )
    data += selectors.unavailable_events(
        request,
        first=first,
        last=end - timedelta(days=1),
        therapist_id=therapist.pk if therapist else None,
        by=by,
    )
    return JsonResponse(data, safe=False)


@staff_required
@require_http_methods(["GET", "POST"])
def book(request: HttpRequest) -> HttpResponse:
    """The booking form, opened from a click on a free time (?start=…&therapist=…)."""
    client = None
    wanted_client = request.POST.get("client") or request.GET.get("client")
    if wanted_client:
        try:
            client = access_client(request, wanted_client)
        except Http404:  # an unknown id (or another practice's) leaves the picker empty
            client = None
    override = ""
    if request.method == "POST":
        form = CalendarBookingForm(request.POST, practice=request.practice, client=client)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = actions.book(
                    practice=request.practice,
                    therapist=data["therapist"],
                    client=data["client"],
                    course=data["course"],
                    session_type=data["session_type"],
                    duration_minutes=None if data["session_type"] else data["duration_minutes"],
                    room=data["room"],
                    starts_at=form.starts_at(),
                    by=request.user,
                    overrides=_confirmed_overrides(request),
                )
            except actions.CalendarRefusal as exc:
                form.add_error(None, exc.message)
                if exc.overridable:
                    override = exc.code
            else:
                local = session.starts_at.astimezone(request.practice.zone)
                messages.success(
                    request,
                    _("Booked: %(client)s, %(when)s with %(therapist)s.")
                    % {
                        "client": session.client.full_name,
                        "when": local.strftime("%Y-%m-%d %H:%M"),
                        "therapist": session.therapist.name,
                    },
                )
                return redirect(f"{reverse('calendar:page')}?date={local.date().isoformat()}")
        status = 400
    else:
        start = _parse_local(request.GET.get("start"))
        therapist = _therapist(request, request.GET.get("therapist"))
        if therapist is None and request.staff.takes_sessions:
            therapist = request.staff
        room = None
        if request.GET.get("room"):
            room = selectors.rooms(request.practice)
            room = next((r for r in room if str(r.pk) == request.GET["room"]), None)
        initial = {
            "therapist": therapist,
            "client": client,
            "course": selectors.active_course_of(client) if client else None,
            "date": start.date() if start else _today(request),
            "time": start.time() if start else None,
            "duration_minutes": 60,
            "room": room,
        }
        form = CalendarBookingForm(initial=initial, practice=request.practice, client=client)
        status = 200
    return render(
        request,
        "calendar/book.html",
        {
            "form": form,
            "nav": "calendar",
            "courses_url": reverse("calendar:client_courses", args=[0]),
            "override": override,
            "kept_overrides": _confirmed_overrides(request),
        },
        status=status,
    )


@staff_required
@require_GET
def client_courses(request: HttpRequest, pk: int) -> JsonResponse:
    """A client's active courses for the booking form (the newest first, preselected)."""
    client = access_client(request, pk)
    rows = client.courses.filter(status="active").order_by("-started_on", "-id")
    return JsonResponse(
        {
            "courses": [
                # Named without the complaint: the calendar is not a clinical page.
                {"id": c.pk, "label": c.neutral_label}
                for c in rows
            ]
        }
    )


@staff_required
@require_POST
def move(request: HttpRequest, pk: int) -> JsonResponse:
    """Drag and drop: move a session to `start` (practice wall clock) in the column of
    `resource` (therapist, or room in the rooms view). Answers {ok, message}."""
    session = access_session(request, pk)
    try:
        payload = json.loads(request.body or b"{}")
    except ValueError:
        payload = {}
    local = _parse_local(payload.get("start"))
    if local is None:
        return JsonResponse({"ok": False, "message": _("No valid new time was given.")}, status=400)
    therapist = None
    if payload.get("by", "therapist") == "therapist" and payload.get("resource"):
        therapist = _therapist(request, payload["resource"])
        if therapist is None:
            return JsonResponse({"ok": False, "message": _("Unknown therapist.")}, status=400)
    elif (
        payload.get("by") == "room"
        and payload.get("resource")
        and str(session.room_id or "") != str(payload["resource"])
    ):
        return JsonResponse(
            {"ok": False, "message": _("A session can only be moved within its room's column.")},
            status=409,
        )
    starts_at = local_to_utc(local.date(), local.time(), request.practice.zone)
    try:
        moved = actions.move(
            session=session,
            starts_at=starts_at,
            therapist=therapist,
            by=request.user,
            overrides=[c for c in payload.get("overrides", []) if c in STAFF_OVERRIDABLE],
        )
    except actions.CalendarRefusal as exc:
        return JsonResponse(
            {
                "ok": False,
                "message": exc.message,
                "code": exc.code,
                "overridable": exc.overridable,
            },
            status=409,
        )
    # The old time is free now: offer it to the therapist's waitlist (after commit).
    practice, freed_for = request.practice, moved.therapist
    transaction.on_commit(lambda: waitlist_offers_make(practice=practice, therapist=freed_for))
    when = moved.starts_at.astimezone(request.practice.zone)
    return JsonResponse(
        {
            "ok": True,
            "message": _("%(client)s moved to %(when)s.")
            % {"client": moved.client.full_name, "when": when.strftime("%Y-%m-%d %H:%M")},
        }
    )
