from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backcourse.portal.access import client_required
from backcourse.sms.forms import ReminderChannelsForm
from backcourse.sms.models import ReminderChannels


@client_required
@require_http_methods(["GET", "POST"])
def reminder_channels(request: HttpRequest) -> HttpResponse:
    """The client chooses reminders by email, text message or both."""
    client = request.client
    prefs = ReminderChannels.objects.filter(client=client).first() or ReminderChannels(
        client=client, phone=client.phone
    )
    form = ReminderChannelsForm(
        request.POST or None, instance=prefs, region=client.practice.country
    )
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved: this is how we remind you."))
        return redirect("sms:reminders")
    return render(
        request,
        "sms/reminders.html",
        {"form": form},
        status=400 if request.method == "POST" else 200,
    )
