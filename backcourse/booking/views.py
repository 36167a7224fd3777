"""Public self-booking pages (no login; per practice, in the practice's language) and the
staff page that books a course as a series.

Public flow, one page that moves forward through query parameters (so the back button
and reloads work on a phone): kind of session → therapist (or any) → time → contact
details → "check your email" → the emailed link → confirm (POST) → booked.
"""

from datetime import date, timedelta
from functools import wraps

from django.contrib import messages
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backcourse.booking import manage, pending
from backcourse.booking.forms import ContactForm, RescheduleForm, SeriesForm, parse_utc
from backcourse.booking.selectors import days_with_times, public_kinds, public_therapists
from backcourse.clients.readiness import forms_missing
from backcourse.lib.slots import local_to_utc
from backcourse.notifications.calendar import session_ics
from backcourse.portal.services import signin_link_path
from backcourse.practices.access import (
    access_course,
    access_session,
    clinical_client_ids,
    staff_required,
)
from backcourse.practices.models import Practice
from backcourse.practices.roles import Perm
from backcourse.scheduling import errors as codes
from backcourse.scheduling import selectors, services
from backcourse.scheduling import series as series_booking
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.formats import when_text
from backcourse.scheduling.forms import overrides_confirmed
from backcourse.scheduling.models import Session, SessionType

DAYS_PER_PAGE = 14
MAX_DAYS_AHEAD = 8 * 7
NEXT_FREE_SHORTCUTS = 3
MOVE_WEEKS = 2


def public_practice(view):
    """Fetch the practice by slug and speak its language, in its time zone, for the whole
    request."""

    @wraps(view)
    def wrapper(request, slug, *args, **kwargs):
        practice = get_object_or_404(Practice, slug=slug)
        with translation.override(practice.language), timezone.override(practice.zone):
            request.LANGUAGE_CODE = practice.language
            response = view(request, practice, *args, **kwargs)
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response.render()
            response.headers.setdefault("Content-Language", practice.language)
            return response

    return wrapper


@public_practice
def manifest(request, practice):
    """Web app manifest: "Add to home screen" on a phone opens this practice's booking."""
    start_url = reverse("booking:start", kwargs={"slug": practice.slug})
    data = {
        "name": f"{practice.name} · {_('Book a session')}",
        "short_name": practice.name[:30],
        "start_url": start_url,
        "scope": start_url,
        "display": "standalone",
        "background_color": "#ffffff",
        "theme_color": "#1f6f6b",
        "lang": practice.language,
        "icons": [
            {"src": static("backcourse/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("backcourse/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("backcourse/icon-maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("backcourse/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
    }
    return JsonResponse(
        data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False}
    )


def _wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def _status_for(error: SchedulingError) -> int:
    if error.code == codes.TOO_MANY_REQUESTS:
        return 429
    if error.is_conflict:
        return 409
    return 400


def _url(practice, **params) -> str:
    base = reverse("booking:start", kwargs={"slug": practice.slug})
    params = {k: v for k, v in params.items() if v not in (None, "")}
    return f"{base}?{urlencode(params)}" if params else base


@public_practice
@require_http_methods(["GET", "POST"])
def start(request, practice):
    """Step by step: ?type= → &therapist= (id or "any") → &slot= (ISO UTC) → contact form."""
    context = {"practice": practice, "step": 1}
    if not practice.online_booking:
        return render(request, "booking/closed.html", context)
    kinds = SessionType.objects.filter(practice=practice, bookable_online=True, is_active=True)
    bookable = selectors.bookable_therapists(practice)
    context["kinds"] = kinds
    errors = []

    kind = None
    if request.GET.get("type"):
        kind = kinds.filter(pk=_int(request.GET["type"])).first()
        if kind is None:
            errors.append(_("Please choose one of these kinds of session."))
    if kind is None:
        context.update(errors=errors, public_kinds=public_kinds(kinds))
        return render(request, "booking/step_type.html", context, status=400 if errors else 200)
    context.update(kind=kind, step=2)

    # Every bookable therapist is loaded only where the page lists them (or offers the
    # only one); a chosen or "any" therapist needs one row or none, however many the
    # practice has.
    therapist_param = request.GET.get("therapist", "")
    therapist = None
    therapist_id = _int(therapist_param) if therapist_param not in ("", "any") else None
    if therapist_param and therapist_param != "any":
        therapist = bookable.filter(pk=therapist_id).first() if therapist_id else None
        if therapist is None:
            errors.append(_("Please choose one of these therapists."))
            therapist_param = ""
    if not therapist_param:
        therapists = list(bookable)
        context["therapists"] = therapists
        if len(therapists) == 1 and not errors:
            therapist, therapist_param = therapists[0], str(therapists[0].pk)
        else:
            context.update(errors=errors, any_url=_url(practice, type=kind.pk, therapist="any"))
            context["therapist_links"] = [
                (t, _url(practice, type=kind.pk, therapist=t.staff.pk))
                for t in public_therapists(therapists)
            ]
            return render(
                request, "booking/step_therapist.html", context, status=400 if errors else 200
            )
    context.update(therapist=therapist, therapist_param=therapist_param, step=3)
    context["back_url"] = _url(practice, type=kind.pk)

    slot_raw = request.GET.get("slot")
    starts_at = parse_utc(slot_raw)
    if slot_raw and starts_at is None:
        errors.append(_("That time could not be read. Please choose a time from the list."))
    if starts_at is not None and starts_at < timezone.now():
        errors.append(str(codes.MESSAGES[codes.PAST]))
        starts_at = None
    if starts_at is None:
        return _slots_page(request, practice, kind, therapist, therapist_param, context, errors)

    context.update(
        step=4,
        starts_at=starts_at,
        when=when_text(practice, starts_at),
        slots_url=_url(practice, type=kind.pk, therapist=therapist_param),
    )
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pending.pending_booking_create(
                practice=practice,
                session_type=kind,
                therapist=therapist,
                starts_at=starts_at,
                site_url=request.build_absolute_uri("/"),
                requested_ip=request.META.get("REMOTE_ADDR") or None,
                **form.cleaned_data,
            )
        except SchedulingError as exc:
            context.update(form=form, errors=[exc.message])
            response = render(
                request, "booking/step_contact.html", context, status=_status_for(exc)
            )
            if exc.code == codes.TOO_MANY_REQUESTS:
                response["Retry-After"] = str(int(pending.RATE_WINDOW.total_seconds()))
            return response
        return redirect(reverse("booking:sent", kwargs={"slug": practice.slug}))
    context["form"] = form
    status = 400 if request.method == "POST" else 200
    return render(request, "booking/step_contact.html", context, status=status)


def _slots_page(request, practice, kind, therapist, therapist_param, context, errors):
    """Day first: a strip of days with how many free times each has, "next free times"
    shortcuts, then the chosen day's times by morning, afternoon and evening."""
    today = timezone.now().astimezone(practice.zone).date()
    first_day = today
    if request.GET.get("from"):
        try:
            first_day = date.fromisoformat(request.GET["from"])
        except ValueError:
            errors.append(_("That date could not be read; showing the next days instead."))
    first_day = min(max(first_day, today), today + timedelta(days=MAX_DAYS_AHEAD))
    starts = selectors.available_starts(
        practice=practice,
        session_type=kind,
        therapist=therapist,
        first_day=first_day,
        weeks=DAYS_PER_PAGE // 7,
    )
    days = days_with_times(practice, starts, first_day, DAYS_PER_PAGE)
    chosen = None
    if request.GET.get("day"):
        try:
            wanted = date.fromisoformat(request.GET["day"])
            chosen = next((d for d in days if d.day == wanted), None)
        except ValueError:
            pass
    if chosen is None:
        chosen = next((d for d in days if d.count), None)

    # A few dozen links that differ only in their last parameter: the path and the
    # fixed part of the query are built once, not reversed and encoded for each link.
    fixed = _url(practice, type=kind.pk, therapist=therapist_param)

    def url(**extra):
        return f"{fixed}&{urlencode(extra)}"

    window = {"from": first_day.isoformat()}
    context.update(
        errors=errors,
        days=[(d, url(day=d.day.isoformat(), **window)) for d in days],
        chosen=chosen,
        parts=[
            (key, name, [(label, url(slot=at.isoformat())) for label, at in items])
            for key, name, items in (chosen.parts() if chosen else [])
        ],
        next_free=[
            (at, url(slot=at.isoformat()))
            for at in [at for d in days for at in d.starts][:NEXT_FREE_SHORTCUTS]
        ],
        first_day=first_day,
        next_url=url(**{"from": (first_day + timedelta(days=DAYS_PER_PAGE)).isoformat()}),
        prev_url=(
            url(**{"from": max(first_day - timedelta(days=DAYS_PER_PAGE), today).isoformat()})
            if first_day > today
            else None
        ),
    )
    return render(request, "booking/step_slot.html", context, status=400 if errors else 200)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@public_practice
def sent(request, practice):
    return render(request, "booking/sent.html", {"practice": practice})


@public_practice
@require_http_methods(["GET", "POST"])
def confirm(request, practice, token):
    """GET shows what will be booked (link checkers that open the link change nothing);
    POST books it. Opened again after confirming, the link shows the booking as
    confirmed (however old the link). Expired, forged or reused links: a clear message,
    nothing changes."""
    context = {"practice": practice, "step": 5}
    try:
        request_row = pending.pending_from_token(token, practice=practice)
    except SchedulingError as exc:
        session = pending.confirmed_session_from_token(token, practice=practice)
        if session is not None and not _wants_json(request):
            return _booked_page(request, practice, session, again=True)
        return _confirm_error(request, context, exc)
    context.update(pending=request_row, when=when_text(practice, request_row.starts_at))
    if request_row.confirmed_at is not None:
        if request.method == "GET" and request_row.session is not None:
            return _booked_page(request, practice, request_row.session, again=True)
        return _confirm_error(request, context, SchedulingError(codes.ALREADY_CONFIRMED))
    if request.method == "GET":
        return render(request, "booking/confirm.html", context)
    try:
        session = pending.pending_booking_confirm(token=token, practice=practice)
    except SchedulingError as exc:
        return _confirm_error(request, context, exc)
    if _wants_json(request):
        return JsonResponse({"ok": True, "session": session.pk}, status=201)
    return _booked_page(request, practice, session, status=201)


def _booked_page(request, practice, session, *, again=False, status=200):
    """The booking as it stands, with its private link (view, move, cancel), the calendar
    file, and — before a first visit — the forms to fill in."""
    context = _manage_context(practice, session)
    context.update(step=5, again=again)
    return render(request, "booking/booked.html", context, status=status)


def _manage_context(practice, session):
    problem = services.notice_problem(session, timezone.now())
    token = manage.manage_token(session)
    return {
        "practice": practice,
        "session": session,
        "when": when_text(practice, session.starts_at),
        "token": token,
        "manage_url": reverse("booking:manage", kwargs={"slug": practice.slug, "token": token}),
        "ics_url": reverse("booking:manage_ics", kwargs={"slug": practice.slug, "token": token}),
        "changeable": problem is None,
        "inside_notice": problem == codes.NOTICE_PERIOD,
        "is_booked": session.status in (Session.Status.BOOKED, Session.Status.CHECKED_IN),
        "forms_missing": forms_missing(session.client),
        "therapist": public_therapists([session.therapist])[0],
    }


@public_practice
@require_http_methods(["GET", "POST"])
def manage_view(request, practice, token):
    """The client's booking without an account: view; move to another free time with the
    same therapist, or cancel — both only until the notice period, else the page says
    so and shows the phone number."""
    try:
        session = manage.session_from_manage_token(token, practice=practice)
    except SchedulingError as exc:
        return _confirm_error(request, {"practice": practice, "step": 5}, exc)
    context = _manage_context(practice, session)
    action = request.POST.get("action") or request.GET.get("action", "")
    errors = []
    if request.method == "POST" and action in ("cancel", "move"):
        try:
            if action == "cancel":
                services.session_cancel(session=session, by_client=True)
                messages.success(request, _("Your session is cancelled."))
            else:
                starts_at = parse_utc(request.POST.get("slot"))
                if starts_at is None:
                    raise ValueError
                services.session_move(session=session, starts_at=starts_at, by_client=True)
                messages.success(request, _("Your session is moved."))
        except SchedulingError as exc:
            errors.append(exc.message)
        except ValueError:
            errors.append(_("That time could not be read. Please choose a time from the list."))
        else:
            return redirect(manage.manage_path(session))
    context.update(errors=errors, action=action)
    if action == "move" and context["changeable"]:
        starts_at = parse_utc(request.GET.get("slot") or request.POST.get("slot"))
        if starts_at is not None:
            context.update(move_to=starts_at, move_when=when_text(practice, starts_at))
        else:
            starts = selectors.available_starts(
                practice=practice,
                session_type=session.session_type,
                therapist=session.therapist,
                weeks=MOVE_WEEKS,
                exclude_session_ids=[session.pk],
            )
            days = days_with_times(
                practice, starts, timezone.now().astimezone(practice.zone).date(), MOVE_WEEKS * 7
            )
            context["move_days"] = [
                (
                    d,
                    [
                        (label, "?" + urlencode({"action": "move", "slot": at.isoformat()}))
                        for label, at in d.times
                    ],
                )
                for d in days
                if d.count
            ]
    status = 400 if errors else 200
    return render(request, "booking/manage.html", context, status=status)


@public_practice
def manage_ics(request, practice, token):
    try:
        session = manage.session_from_manage_token(token, practice=practice)
    except SchedulingError as exc:
        return _confirm_error(request, {"practice": practice, "step": 5}, exc)
    response = HttpResponse(
        session_ics([session], practice=practice), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="session.ics"'
    return response


@public_practice
@require_http_methods(["POST"])
def manage_forms(request, practice, token):
    """Open the forms before the visit (consent, intake) on the client's pages: the
    private link proved the address, so it signs the client in like an emailed link."""
    try:
        session = manage.session_from_manage_token(token, practice=practice)
    except SchedulingError as exc:
        return _confirm_error(request, {"practice": practice, "step": 5}, exc)
    return redirect(signin_link_path(client=session.client))


def _confirm_error(request, context, exc):
    status = _status_for(exc)
    if _wants_json(request):
        code = "slot_taken" if exc.is_conflict else "refused"
        return JsonResponse({"ok": False, "error": code, "message": exc.message}, status=status)
    context.update(error=exc.message, restart_url=_url(context["practice"]))
    return render(request, "booking/confirm_error.html", context, status=status)


# --- Staff: book a course as a series ---------------------------------------------------


@staff_required(perm=Perm.SCHEDULE)
@require_http_methods(["GET", "POST"])
def series(request, course_pk):
    """Plan a course's sessions, see every conflict (date and reason), resolve each
    (skip, an alternative time, or shift this and later dates by a day), then book all
    at once — or nothing."""
    course = access_course(request, course_pk, perm=Perm.SCHEDULE, audit_what="series booking form")
    practice = request.practice
    form = SeriesForm(
        request.POST or None, practice=practice, initial=SeriesForm.initial_for(course, practice)
    )
    context = {
        "course": course,
        "form": form,
        "nav": "clients",
        "course_url": _course_url(course),
        # the complaint only for a role that may read this client's clinical data
        "clinical": bool(clinical_client_ids(request.staff, {course.client_id})),
    }
    if request.method == "GET" or not form.is_valid():
        return render(
            request, "booking/series.html", context, status=400 if request.method == "POST" else 200
        )

    data = form.cleaned_data
    base = series_booking.series_dates(
        first=data["first"],
        intensive_count=data["intensive_count"],
        intensive_every_days=data["intensive_every_days"],
        maintenance_count=data["maintenance_count"],
        maintenance_monthly=data["maintenance_cadence"] == "monthly",
        maintenance_every_days=data["maintenance_every_days"],
        zone=practice.zone,
    )
    offsets, choices = _resolutions(request.POST, len(base))
    starts = [_shift_days(start, offsets[i], practice.zone) for i, start in enumerate(base)]
    plan = series_booking.series_plan(
        practice=practice,
        therapist=data["therapist"],
        client=course.client,
        session_type=data["session_type"],
        starts=starts,
        room=data["room"],
        choices=choices,
    )
    unresolved = [row for row in plan if not row.ok and not row.skipped]
    to_book = [row.starts_at for row in plan if row.ok and not row.skipped]
    context.update(plan=plan, offsets=offsets, unresolved=unresolved, to_book=to_book)

    if request.POST.get("action") == "book":
        if unresolved:
            context["errors"] = [_("Resolve every conflict before booking. Nothing was booked.")]
            return render(request, "booking/series.html", context, status=409)
        try:
            sessions = series_booking.series_book(
                practice=practice,
                course=course,
                therapist=data["therapist"],
                session_type=data["session_type"],
                starts=to_book,
                room=data["room"],
                by=request.user,
            )
        except SchedulingError as exc:
            context["errors"] = [exc.message]
            return render(request, "booking/series.html", context, status=_status_for(exc))
        messages.success(request, _("%(n)s sessions booked as one series.") % {"n": len(sessions)})
        return redirect(context["course_url"])
    return render(request, "booking/series.html", context)


def _resolutions(post, n: int) -> tuple[list[int], dict[int, str]]:
    """Per-row day offsets (hidden `offset_i`) and choices (`res_i`). Choosing "shift"
    on row i moves it and every later row one day later."""
    offsets = [max(0, min(_int(post.get(f"offset_{i}")) or 0, 60)) for i in range(n)]
    choices: dict[int, str] = {}
    for i in range(n):
        value = post.get(f"res_{i}", "")
        if value == "shift":
            for j in range(i, n):
                offsets[j] += 1
        elif value == "skip" or value.startswith("alt:"):
            choices[i] = value
    # A shifted row's earlier alternative no longer applies.
    for i in range(n):
        if post.get(f"res_{i}") == "shift":
            choices.pop(i, None)
    return offsets, choices


def _shift_days(start, days: int, zone):
    if not days:
        return start
    wall = start.astimezone(zone).replace(tzinfo=None) + timedelta(days=days)
    return local_to_utc(wall.date(), wall.time(), zone)


def _course_url(course) -> str:
    return reverse("courses:detail", kwargs={"pk": course.pk})


# --- Staff: move, cancel, no-show --------------------------------------------------------


@staff_required(perm=Perm.SCHEDULE)
@require_http_methods(["GET", "POST"])
def session_change(request, pk):
    """Reschedule (one session or the rest of its series), cancel, or mark a no-show."""
    session = access_session(request, pk)
    practice = request.practice
    local = session.starts_at.astimezone(practice.zone)
    action = request.POST.get("action", "")
    form = RescheduleForm(
        request.POST if action == "reschedule" else None,
        initial={"day": local.date(), "at": local.time()},
    )
    overrides = overrides_confirmed(request.POST) if request.method == "POST" else []
    now = timezone.now()
    context = {
        "session": session,
        "form": form,
        "local": local,
        "nav": "day",
        "overrides": overrides,
        # What the page offers comes from the same rules the services apply.
        "can_move": session.is_movable,
        "can_cancel": session.can_become(Session.Status.CANCELLED, now),
        "can_no_show": session.can_become(Session.Status.NO_SHOW, now),
    }
    status = 200
    if request.method == "POST":
        whole = request.POST.get("whole_series") == "on"
        try:
            if action == "reschedule":
                if not form.is_valid():
                    return render(request, "booking/session_change.html", context, status=400)
                data = form.cleaned_data
                services.session_move(
                    session=session,
                    starts_at=local_to_utc(data["day"], data["at"], practice.zone),
                    whole_series=data["whole_series"],
                    by=request.user,
                    overrides=overrides,
                )
                messages.success(request, _("The session was moved."))
            elif action == "cancel":
                services.session_cancel(session=session, whole_series=whole, by=request.user)
                messages.success(request, _("The session was cancelled; its time is free again."))
            elif action == "no_show":
                services.session_status_set(
                    session=session, status=Session.Status.NO_SHOW, by=request.user
                )
                messages.success(request, _("Marked as a no-show."))
            else:
                context["errors"] = [_("Unknown action.")]
                return render(request, "booking/session_change.html", context, status=400)
        except SchedulingError as exc:
            context["errors"] = [exc.message]
            context["overridable"] = exc.code if exc.overridable else ""
            status = _status_for(exc)
        else:
            return redirect(reverse("booking:session_change", kwargs={"pk": session.pk}))
    return render(request, "booking/session_change.html", context, status=status)
