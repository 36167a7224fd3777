"""The owner's settings pages: everything needed day to day without the admin.

Every view is owner-only (`owner_required`) and edits the owner's own practice; rows
of another practice are never in a queryset here, so a forged id is "not a choice".
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_http_methods, require_POST

from backcourse.clients.models import ConsentText, ScreeningQuestion
from backcourse.practices.access import owner_required
from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import Room, SessionType, TimeOff
from backcourse.setup import forms as f
from backcourse.setup import services
from backcourse.setup.selectors import setup_steps


@owner_required
def index(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "setup/index.html",
        {"nav": "setup", "steps": setup_steps(request.practice)},
    )


def _practice_fields(form_class):
    """A form over fields of the practice itself (setup/form.html)."""
    return lambda request: form_class(request.POST or None, instance=request.practice)


def _practice_rows(formset_class, model):
    """A formset over the practice's rows of `model`, one row each (setup/rows.html)."""
    return lambda request: formset_class(
        request.POST or None,
        queryset=model.objects.filter(practice=request.practice),
        practice=request.practice,
    )


def _settings_page(name: str, make_form, title, intro):
    """One owner-only settings page: show the form (or formset) `make_form(request)`
    builds; a valid POST is saved in one transaction and comes back with "Saved.", an
    invalid one is shown again (400)."""

    @owner_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest) -> HttpResponse:
        form = make_form(request)
        rows = hasattr(form, "save_rows")
        status = 200
        if request.method == "POST":
            if form.is_valid():
                with transaction.atomic():
                    form.save_rows() if rows else form.save()
                messages.success(request, _("Saved."))
                return redirect(request.path)
            status = 400
        context = {"nav": "setup", "title": title, "intro": intro}
        context["formset" if rows else "form"] = form
        template = "setup/rows.html" if rows else "setup/form.html"
        return render(request, template, context, status=status)

    view.__name__ = view.__qualname__ = name
    return view


practice_details = _settings_page(
    "practice_details",
    _practice_fields(f.PracticeDetailsForm),
    _lazy("Practice details"),
    _lazy("Name, contact details, language and time zone. Times are shown in this zone."),
)
online_booking = _settings_page(
    "online_booking",
    _practice_fields(f.OnlineBookingForm),
    _lazy("Online booking and reminders"),
    _lazy("Whether clients can book online, and until when before a session they can change it."),
)
rooms = _settings_page(
    "rooms",
    _practice_rows(f.RoomFormSet, Room),
    _lazy("Rooms"),
    _lazy("A room no longer used is switched off, not deleted: past sessions keep it."),
)
session_types = _settings_page(
    "session_types",
    _practice_rows(f.SessionTypeFormSet, SessionType),
    _lazy("Session types"),
    _lazy("What clients book: its length, and the buffer kept free after it."),
)
screening = _settings_page(
    "screening",
    _practice_rows(f.ScreeningQuestionFormSet, ScreeningQuestion),
    _lazy("Screening questions"),
    _lazy("Asked in the client's intake. A “yes” to a red flag shows a badge in the calendar."),
)


@owner_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest) -> HttpResponse:
    kinds = []
    for kind, label in ConsentText.Kind.choices:
        current = (
            ConsentText.objects.filter(
                practice=request.practice, kind=kind, published_at__isnull=False
            )
            .order_by("-version")
            .first()
        )
        posted = request.method == "POST" and request.POST.get("kind") == kind
        form = f.ConsentTextForm(
            request.POST if posted else None,
            initial={"text": current.text if current else ""},
            prefix=kind,
        )
        if posted and form.is_valid():
            text = services.consent_text_publish(
                practice=request.practice, kind=kind, text=form.cleaned_data["text"]
            )
            messages.success(
                request,
                _("Version %(v)s published; clients are asked to agree again.")
                % {"v": text.version},
            )
            return redirect(request.path)
        kinds.append({"kind": kind, "label": label, "current": current, "form": form})
    return render(
        request,
        "setup/consent.html",
        {"nav": "setup", "kinds": kinds},
        status=400 if request.method == "POST" else 200,
    )


def _therapist(request, pk) -> StaffMember:
    return get_object_or_404(
        StaffMember.objects.select_related("user"), practice=request.practice, pk=pk
    )


@owner_required
def hours_index(request: HttpRequest) -> HttpResponse:
    therapists = StaffMember.objects.filter(
        practice=request.practice, is_active=True, takes_sessions=True
    ).select_related("user")
    return render(request, "setup/hours_index.html", {"nav": "setup", "therapists": therapists})


@owner_required
@require_http_methods(["GET", "POST"])
def hours(request: HttpRequest, pk: int) -> HttpResponse:
    therapist = _therapist(request, pk)
    data = request.POST if request.POST.get("part") == "weekly" else None
    working = f.WorkingHoursFormSet(data, instance=therapist, prefix="hours")
    breaks = f.BreakFormSet(data, instance=therapist, prefix="breaks")
    off_form = f.TimeOffForm(request.POST if request.POST.get("part") == "off" else None)
    status = 200
    if data is not None:
        if working.is_valid() and breaks.is_valid():
            with transaction.atomic():
                working.save()
                breaks.save()
            messages.success(request, _("Working hours saved."))
            return redirect(request.path)
        status = 400
    elif request.POST.get("part") == "off":
        if off_form.is_valid():
            starts_at, ends_at = off_form.range(request.practice.zone)
            TimeOff.objects.create(
                therapist=therapist,
                starts_at=starts_at,
                ends_at=ends_at,
                reason=off_form.cleaned_data["reason"],
            )
            messages.success(request, _("Time off saved."))
            return redirect(request.path)
        status = 400
    zone = request.practice.zone
    # Shown as the days it covers (it runs to midnight after its last day).
    time_off = [
        (t, t.starts_at.astimezone(zone), (t.ends_at - timedelta(seconds=1)).astimezone(zone))
        for t in TimeOff.objects.filter(therapist=therapist, ends_at__gte=timezone.now())
    ]
    return render(
        request,
        "setup/hours.html",
        {
            "nav": "setup",
            "therapist": therapist,
            "working": working,
            "breaks": breaks,
            "off_form": off_form,
            "time_off": time_off,
        },
        status=status,
    )


@owner_required
@require_POST
def time_off_delete(request: HttpRequest, pk: int, off_pk: int) -> HttpResponse:
    therapist = _therapist(request, pk)
    TimeOff.objects.filter(therapist=therapist, pk=off_pk).delete()
    messages.success(request, _("Time off removed."))
    return redirect("setup:hours", pk=therapist.pk)
