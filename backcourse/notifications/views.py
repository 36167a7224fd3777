from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from backcourse.audit.services import access_events_record_many
from backcourse.notifications import services
from backcourse.notifications.calendar import feed_ics, feed_sessions, session_ics
from backcourse.notifications.forms import CalendarFeedForm
from backcourse.notifications.models import CalendarFeed
from backcourse.portal.models import ErasureRequest
from backcourse.practices.access import access_session, staff_required
from backcourse.practices.roles import Perm

ICS_TYPE = "text/calendar; charset=utf-8"


def _ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=ICS_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_safe  # calendar apps may probe with HEAD
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed. Unknown, revoked and expired tokens get the same bare 404."""
    found = (
        CalendarFeed.objects.usable()
        .filter(token=token)
        .select_related("practice", "staff__user", "client")
        .first()
    )
    if found is None or (found.staff_id and not found.staff.is_active):
        raise Http404
    if (
        found.client_id
        and ErasureRequest.objects.filter(
            client_id=found.client_id, status=ErasureRequest.Status.DONE
        ).exists()
    ):
        raise Http404  # an erased client's feed serves nothing, even if not revoked
    CalendarFeed.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    with transaction.atomic():
        sessions = list(feed_sessions(found))
        access_events_record_many(
            request=request, clients=[s.client for s in sessions], what=f"calendar feed {found.pk}"
        )
        body = feed_ics(found, sessions=sessions)
    return _ics_response(body, "backcourse.ics")


@staff_required(perm=Perm.CALENDAR_FEEDS)
@require_http_methods(["GET", "POST"])
def feeds(request: HttpRequest) -> HttpResponse:
    """Show, create and revoke the practice's feed URLs."""
    practice = request.practice
    initial = {}
    if request.method == "GET" and request.GET.get("client", "").isdigit():
        initial["client"] = request.GET["client"]
    data = request.POST if request.method == "POST" else None
    form = CalendarFeedForm(data, practice=practice, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.calendar_feed_create(
                practice=practice,
                by=request.user,
                staff=form.cleaned_data["staff"],
                client=form.cleaned_data["client"],
                expires_at=form.expires_at,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Calendar feed created. Copy its address below."))
            return redirect("notifications:feeds")
    rows = (
        CalendarFeed.objects.usable()
        .filter(practice=practice)
        .select_related("staff__user", "client")
    )
    listed = [
        {
            "feed": row,
            "url": request.build_absolute_uri(reverse("notifications:feed", args=[row.token])),
        }
        for row in rows
    ]
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "notifications/feeds.html",
        {"form": form, "feeds": listed, "nav": "feeds"},
        status=status,
    )


@staff_required(perm=Perm.CALENDAR_FEEDS)
@require_POST
def feed_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    row = get_object_or_404(CalendarFeed, pk=pk, practice=request.practice)
    services.calendar_feed_revoke(feed=row, by=request.user)
    messages.success(request, _("Calendar feed revoked; its address no longer works."))
    return redirect("notifications:feeds")


@staff_required(perm=Perm.SCHEDULE)
@require_GET
def session_file(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(request, pk, audit_what="calendar file of a session")
    return _ics_response(session_ics([session], audience="therapist"), f"session-{session.pk}.ics")
