"""The audit trail for the practice owner (and their data-protection officer): who read
or changed which client's health data, when, and from where. Read-only: there is no
way to change or delete a row, here or anywhere else."""

from datetime import datetime, time, timedelta

from django import forms
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from backcourse.audit.models import AccessEvent
from backcourse.practices.access import staff_required
from backcourse.practices.roles import Perm
from backcourse.security.limits import PlausibleDateField


class TrailFilterForm(forms.Form):
    who = forms.CharField(label=_("Who (login name)"), required=False, max_length=150)
    client = forms.IntegerField(label=_("Client id"), required=False, min_value=1, max_value=2**62)
    action = forms.ChoiceField(
        label=_("What"), required=False, choices=[("", _("any"))] + AccessEvent.Action.choices
    )
    channel = forms.ChoiceField(
        label=_("From"), required=False, choices=[("", _("anywhere"))] + AccessEvent.Channel.choices
    )
    ip = forms.GenericIPAddressField(label=_("IP address"), required=False)
    since = PlausibleDateField(
        label=_("From date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    until = PlausibleDateField(
        label=_("Until date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )


@require_GET
@staff_required(perm=Perm.AUDIT_READ)
def trail(request: HttpRequest) -> HttpResponse:
    form = TrailFilterForm(request.GET or None)
    events = AccessEvent.objects.filter(practice=request.practice).select_related("client")
    if form.is_valid():
        data = form.cleaned_data
        zone = request.practice.zone
        if data["who"]:
            events = events.filter(actor__iexact=data["who"].strip())
        if data["client"]:
            events = events.filter(client_ref=data["client"])
        if data["action"]:
            events = events.filter(action=data["action"])
        if data["channel"]:
            events = events.filter(channel=data["channel"])
        if data["ip"]:
            events = events.filter(ip_address=data["ip"])
        if data["since"]:
            events = events.filter(at__gte=datetime.combine(data["since"], time.min, zone))
        if data["until"]:
            end = datetime.combine(data["until"], time.min, zone) + timedelta(days=1)
            events = events.filter(at__lt=end)
    page = Paginator(events.order_by("-at", "-id"), 100).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    return render(
        request,
        "audit/trail.html",
        {
            "form": form,
            "page": page,
            "keep": keep.urlencode(),
            "now": timezone.now(),
            "nav": "audit",
        },
    )
