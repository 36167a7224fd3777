"""Waitlist pages: staff add clients and see the list; clients ask for themselves;
anybody with an offer link can take the offered time."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backcourse.portal.access import client_required
from backcourse.practices.access import staff_required
from backcourse.waitlist import services
from backcourse.waitlist.forms import StaffWaitlistForm, WaitlistForm
from backcourse.waitlist.models import WaitlistEntry, WaitlistOffer


def _join(request, form, client, back):
    data = form.cleaned_data
    try:
        services.waitlist_join(
            client=client,
            therapist=data["therapist"],
            session_type=data["session_type"],
            first_day=data["first_day"],
            last_day=data["last_day"],
            session=data.get("session"),
            by=request.user,
        )
    except services.WaitlistRefusal as exc:
        form.add_error(None, exc.message)
        return None
    messages.success(request, _("On the waitlist. An email comes when a time frees up."))
    return redirect(back)


@staff_required
@require_http_methods(["GET", "POST"])
def staff_list(request: HttpRequest) -> HttpResponse:
    form = StaffWaitlistForm(request.POST or None, practice=request.practice)
    if request.method == "POST" and form.is_valid():
        done = _join(request, form, form.cleaned_data["client"], "waitlist:staff")
        if done:
            return done
    entries = (
        WaitlistEntry.objects.filter(practice=request.practice, status="waiting")
        .select_related("client", "therapist__user", "session_type")
        .prefetch_related("offers")
    )
    return render(
        request,
        "waitlist/staff.html",
        {"nav": "waitlist", "form": form, "entries": entries},
        status=400 if request.method == "POST" else 200,
    )


@staff_required
@require_POST
def staff_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    entry = get_object_or_404(WaitlistEntry, practice=request.practice, pk=pk)
    services.waitlist_withdraw(entry=entry)
    messages.success(request, _("Taken off the waitlist."))
    return redirect("waitlist:staff")


@client_required
@require_http_methods(["GET", "POST"])
def client_page(request: HttpRequest) -> HttpResponse:
    client = request.client
    if request.method == "POST" and request.POST.get("withdraw"):
        entry = get_object_or_404(WaitlistEntry, client=client, pk=request.POST["withdraw"])
        services.waitlist_withdraw(entry=entry)
        messages.success(request, _("Taken off the waitlist."))
        return redirect("waitlist:mine")
    form = WaitlistForm(request.POST or None, practice=client.practice, client=client)
    if request.method == "POST" and form.is_valid():
        done = _join(request, form, client, "waitlist:mine")
        if done:
            return done
    entries = WaitlistEntry.objects.filter(client=client, status="waiting").select_related(
        "therapist__user", "session_type"
    )
    return render(
        request,
        "waitlist/mine.html",
        {"form": form, "entries": entries},
        status=400 if request.method == "POST" else 200,
    )


@require_http_methods(["GET", "POST"])
def offer(request: HttpRequest, token) -> HttpResponse:
    """The emailed link: the token alone decides (like the booking confirmation link)."""
    the_offer = get_object_or_404(
        WaitlistOffer.objects.select_related("entry__practice", "entry__therapist__user"),
        token=token,
    )
    practice = the_offer.entry.practice
    message = ""
    session = None
    if request.method == "POST":
        session, message = services.waitlist_offer_accept(token=the_offer.token)
        the_offer.refresh_from_db()
    return render(
        request,
        "waitlist/offer.html",
        {
            "offer": the_offer,
            "practice": practice,
            "when": the_offer.starts_at.astimezone(practice.zone),
            "session": session,
            "message": message,
        },
        status=409 if message else 200,
    )
