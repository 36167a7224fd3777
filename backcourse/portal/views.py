"""The client's own pages (phone first) and the few staff pages of the portal.

Each view: validate → access (portal/access.py or practices/access.py) → service → render.
"""

import json

from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.forms import SetPasswordForm
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backcourse.audit.models import AccessEvent
from backcourse.audit.services import access_event_record
from backcourse.clients.consent import consent_missing_texts
from backcourse.clients.models import Client, ScreeningQuestion
from backcourse.clients.screening import client_flags, intake_flags, newest_intake
from backcourse.lib.numbers import plain_decimal
from backcourse.measures.models import MuscleRegion
from backcourse.portal import services
from backcourse.portal.access import (
    access_own_course,
    access_own_session,
    client_required,
    own_courses_list,
    own_sessions,
    request_client,
)
from backcourse.portal.export import client_data_export, client_data_pdf
from backcourse.portal.forms import (
    QUESTIONNAIRE_FORMS,
    CheckInForm,
    ConsentForm,
    IntakeForm,
    LoginForm,
    RescheduleForm,
)
from backcourse.portal.models import ErasureRequest
from backcourse.portal.progress import course_progress
from backcourse.portal.questionnaires import INSTRUMENTS
from backcourse.portal.services import PortalError
from backcourse.practices.access import access_client, staff_required
from backcourse.practices.roles import Perm
from backcourse.scheduling.formats import day_label, local_time_label
from backcourse.scheduling.models import Session
from backcourse.scheduling.selectors import attach_therapists_and_rooms
from backcourse.security.redirects import redirect_next, safe_next_url


def _site(request) -> str:
    return request.build_absolute_uri("/")


# --- Signing in ----------------------------------------------------------------------


def login_view(request):
    if request_client(request) is not None:
        return redirect("portal:home")
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email, password = form.cleaned_data["email"], form.cleaned_data["password"]
        if password:
            user = _password_user(request, email, password)
            if user is None:
                form.add_error("password", _("That email and password do not match."))
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                return redirect("portal:home")
        else:
            try:
                services.signin_link_send(
                    email=email,
                    base_url=_site(request),
                    requested_ip=request.META.get("REMOTE_ADDR") or None,
                )
            except services.TooManySignInRequests as exc:
                form.add_error(None, str(exc))
                response = render(request, "portal/login.html", {"form": form}, status=429)
                response["Retry-After"] = str(int(services.SIGN_IN_RATE_WINDOW.total_seconds()))
                return response
            return render(request, "portal/login_sent.html", {"email": email})
    return render(request, "portal/login.html", {"form": form})


def _password_user(request, email, password):
    for client in Client.objects.filter(
        email__iexact=email, user__isnull=False, is_archived=False
    ).select_related("user"):
        user = authenticate(request, username=client.user.username, password=password)
        if user is not None:
            return user
    return None


def link_view(request, secret):
    try:
        if request.method == "POST":
            user = services.signin_token_use(secret=secret)
            logout(request)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("portal:home")
        token = services.signin_token_peek(secret=secret)
    except PortalError as exc:
        return render(request, "portal/link_error.html", {"error": str(exc)}, status=400)
    return render(request, "portal/link.html", {"practice": token.client.practice})


@require_POST
def logout_view(request):
    logout(request)
    return redirect("portal:login")


@client_required(consent=False)
def password_view(request):
    form = SetPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, request.user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Your password is set. You can still sign in by email."))
        return redirect("portal:home")
    return render(request, "portal/password.html", {"form": form, "nav": "data"})


# --- Consent -------------------------------------------------------------------------


@client_required(consent=False)
def consent_view(request):
    texts = consent_missing_texts(request.client)
    nxt = safe_next_url(request, request.GET.get("next") or request.POST.get("next"), "")
    if not texts:
        return redirect_next(request, nxt, "portal:home")
    form = ConsentForm(request.POST or None, texts=texts)
    if request.method == "POST" and form.is_valid():
        try:
            services.consent_agree(client=request.client, text_ids=form.text_ids())
        except PortalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you. Your consent is recorded."))
            return redirect_next(request, nxt, "portal:home")
    fields = [(t, form[f"text_{t.pk}"]) for t in texts]
    return render(request, "portal/consent.html", {"form": form, "fields": fields, "next": nxt})


# --- Home ----------------------------------------------------------------------------


@client_required
def home_view(request):
    now = timezone.now()
    # The client's own sessions with their check-in only: the practice is the client's
    # (loaded), the therapists and rooms are attached below (7 joined tables cost
    # PostgreSQL ~1.3 ms of planning per request, more than the rows).
    client = request.client
    upcoming = list(
        own_sessions(request)
        .select_related(None)
        .select_related("check_in")
        .filter(ends_at__gte=now)
        .exclude(status__in=[Session.Status.CANCELLED, Session.Status.NO_SHOW])
        .order_by("starts_at")[:10]
    )
    courses = own_courses_list(request, status__in=["active", "paused"])
    attach_therapists_and_rooms(upcoming, [c.therapist for c in courses])
    for s in upcoming:
        if s.practice_id == client.practice_id:
            s.practice = client.practice
        s.can_check_in = services.checkin_is_open(s, now)
        s.can_change = services.client_may_change(s, now)
        s.checked_in = hasattr(s, "check_in")
    due = [(c, services.questionnaires_due(c)) for c in courses]
    intake = newest_intake(request.client, regions=False)  # the flags and "has intake"
    return render(
        request,
        "portal/home.html",
        {
            "client": request.client,
            "upcoming": upcoming,
            "courses": courses,
            "due": [(c, d) for c, d in due if d],
            "flags": intake_flags(intake),
            "has_intake": intake is not None,
            "nav": "home",
        },
    )


# --- Intake --------------------------------------------------------------------------


@client_required
def intake_view(request):
    questions = list(
        ScreeningQuestion.objects.filter(practice=request.client.practice, is_active=True)
    )
    form = IntakeForm(request.POST or None, questions=questions)
    if request.method == "POST" and form.is_valid():
        try:
            services.intake_submit(
                client=request.client,
                complaint=form.cleaned_data["complaint"],
                regions=list(form.cleaned_data["regions"]),
                history=form.cleaned_data["history"],
                medication=form.cleaned_data["medication"],
                answers=form.answers(),
            )
        except PortalError as exc:
            form.add_error(None, str(exc))
        else:
            flags = client_flags(request.client)
            if flags:
                return render(request, "portal/intake_advice.html", {"flags": flags})
            messages.success(
                request, _("Thank you. Your therapist will read this before you come.")
            )
            return redirect("portal:home")
    regions = list(MuscleRegion.objects.filter(is_active=True))
    checked = {str(v) for v in (form["regions"].value() or [])}
    return render(
        request,
        "portal/intake.html",
        {"form": form, "regions": regions, "checked": checked, "nav": "home"},
    )


# --- Check-in ------------------------------------------------------------------------


@client_required
def checkin_view(request, pk):
    session = access_own_session(request, pk)
    existing = getattr(session, "check_in", None) if hasattr(session, "check_in") else None
    initial = (
        {"pain": existing.pain, "stress": existing.stress, "note": existing.note}
        if existing
        else None
    )
    form = CheckInForm(request.POST or None, initial=initial)
    is_open = services.checkin_is_open(session)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.checkin_save(
                session=session,
                pain=form.cleaned_data["pain"],
                stress=form.cleaned_data["stress"],
                note=form.cleaned_data["note"],
            )
        except PortalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Thank you — you are checked in."))
            if result.kept:
                messages.info(
                    request,
                    _(
                        "Your therapist had already noted %(m)s for this session; their value "
                        "is kept and your answer is passed on to them."
                    )
                    % {"m": ", ".join(str(m) for m in result.kept)},
                )
            return redirect("portal:home")
    return render(
        request,
        "portal/checkin.html",
        {"form": form, "session": session, "is_open": is_open, "nav": "home"},
    )


@client_required
@require_POST
def cancel_view(request, pk):
    session = access_own_session(request, pk)
    try:
        services.session_cancel_by_client(session=session)
    except PortalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Your session is cancelled."))
    return redirect("portal:home")


@client_required
def reschedule_view(request, pk):
    """Move a session: the free times with the same therapist for the next weeks,
    grouped by day → tap one (GET ?at=) → confirm (POST). Scheduling's booking rules
    (working hours, no double booking, the notice period) decide on POST; a time taken
    meanwhile gives its message and the list again, and nothing changes."""
    session = access_own_session(request, pk)
    chosen = None
    if request.method == "POST":
        form = RescheduleForm(request.POST)
        if form.is_valid():
            try:
                services.session_reschedule_by_client(
                    session=session, starts_at=form.cleaned_data["starts_at"]
                )
            except PortalError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("Your session is moved."))
                return redirect("portal:home")
    elif "at" in request.GET:
        form = RescheduleForm({"starts_at": request.GET["at"]})
        if form.is_valid():
            chosen = form.cleaned_data["starts_at"]
    else:
        form = RescheduleForm()
    context = {
        "form": form,
        "session": session,
        "can_change": services.client_may_change(session),
        "weeks": services.RESCHEDULE_WEEKS,
        "nav": "home",
    }
    if chosen is not None:
        practice = session.practice
        context.update(
            chosen_value=chosen.isoformat(),
            chosen_label=f"{day_label(practice, chosen.astimezone(practice.zone).date())}, {local_time_label(practice, chosen)}",
        )
        return render(request, "portal/reschedule_confirm.html", context)
    context["days"] = _slot_days(request, session)
    return render(request, "portal/reschedule.html", context, status=400 if form.errors else 200)


def _slot_days(request, session) -> list[tuple[str, list[tuple[str, str]]]]:
    """[(day label, [(time label, link to the confirm step)])] in the practice's zone."""
    practice = session.practice
    base = reverse("portal:reschedule", args=[session.pk])
    return [
        (
            day_label(practice, day),
            [
                (
                    local_time_label(practice, slot.starts_at),
                    f"{base}?{urlencode({'at': slot.starts_at.isoformat()})}",
                )
                for slot in slots
            ],
        )
        for day, slots in services.reschedule_slots(session=session)
    ]


# --- Course progress and questionnaires ---------------------------------------------


@client_required
def course_view(request, pk):
    course = access_own_course(request, pk)
    progress = course_progress(course)
    return render(
        request,
        "portal/course.html",
        {
            "course": course,
            "progress": progress,
            "due": services.questionnaires_due(course, sessions=progress.sessions),
            "nav": "home",
        },
    )


@client_required
def questionnaire_view(request, pk, code):
    course = access_own_course(request, pk)
    if code not in INSTRUMENTS:
        raise Http404("Unknown questionnaire")
    instrument = INSTRUMENTS[code]
    form = QUESTIONNAIRE_FORMS[code](request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            response = services.questionnaire_submit(
                client=request.client, course=course, instrument=code, answers=form.answers()
            )
        except PortalError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("Thank you. Your %(q)s score is %(s)s.")
                % {"q": instrument.short_name, "s": plain_decimal(response.score)},
            )
            return redirect("portal:course", pk=course.pk)
    return render(
        request,
        "portal/questionnaire.html",
        {"form": form, "course": course, "instrument": instrument, "nav": "home"},
    )


# --- The client's data ---------------------------------------------------------------


@client_required(consent=False)
def data_view(request):
    pending = ErasureRequest.objects.filter(
        client=request.client, status=ErasureRequest.Status.PENDING
    ).first()
    return render(request, "portal/data.html", {"pending": pending, "nav": "data"})


@client_required(consent=False)
def export_json_view(request):
    access_event_record(
        request=request,
        client=request.client,
        what="portal: own data (JSON)",
        action=AccessEvent.Action.EXPORT,
    )
    data = client_data_export(request.client)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    response["Content-Disposition"] = 'attachment; filename="my-data.json"'
    return response


@client_required(consent=False)
def export_pdf_view(request):
    access_event_record(
        request=request,
        client=request.client,
        what="portal: own data (PDF)",
        action=AccessEvent.Action.EXPORT,
    )
    pdf = client_data_pdf(request.client, base_url=_site(request))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="my-data.pdf"'
    return response


@client_required(consent=False)
@require_POST
def erase_view(request):
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Please tick the box to confirm your request."))
        return redirect("portal:data")
    services.erasure_request_create(client=request.client)
    messages.success(request, _("Your request is sent. The practice will confirm it."))
    return redirect("portal:data")


# --- Follow-up (from the email; no sign-in needed, the link is the key) --------------


def followup_view(request, secret):
    try:
        if request.method == "POST":
            services.followup_answer(secret=secret, value=request.POST.get("value"))
            return render(request, "portal/followup_thanks.html")
        token = services.followup_token_peek(secret=secret)
    except PortalError as exc:
        return render(request, "portal/link_error.html", {"error": str(exc)}, status=400)
    return render(request, "portal/followup.html", {"session": token.session, "scale": range(11)})


# --- Staff pages ---------------------------------------------------------------------


@staff_required
def staff_erasure_list_view(request):
    pending = ErasureRequest.objects.filter(
        practice=request.practice, status=ErasureRequest.Status.PENDING
    )
    return render(request, "portal/staff_erasure.html", {"pending": pending})


@staff_required(perm=Perm.ERASURE_CONFIRM)
@require_POST
def staff_erasure_confirm_view(request, pk):
    try:
        erasure = ErasureRequest.objects.get(pk=int(pk), practice=request.practice)
    except (ErasureRequest.DoesNotExist, ValueError) as exc:
        raise Http404("No such request here") from exc
    try:
        services.erasure_confirm(erasure=erasure, by_user=request.user)
    except PortalError as exc:
        messages.error(request, str(exc))
    else:
        if erasure.client_id:
            access_event_record(
                request=request,
                client=erasure.client,
                what="portal: erasure confirmed",
                action=AccessEvent.Action.DELETE,
            )
        messages.success(request, _("The client's data is erased; kept records are listed."))
    return redirect("portal:staff_erasure")


@staff_required(perm=Perm.CLIENT_CONTACT)
@require_POST
def staff_consent_paper_view(request, pk):
    client = access_client(request, pk, audit_what="portal: paper consent")
    kinds = request.POST.getlist("kind")
    try:
        services.consent_record_paper(client=client, kinds=kinds, by_user=request.user)
    except PortalError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Paper consent recorded."))
    return redirect_next(request, request.POST.get("next"), "home")
