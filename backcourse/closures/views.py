"""The owner's closures page: public holidays by region, own closure days, and the
booked sessions that now fall on a closed day (to be moved in the calendar)."""

from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backcourse.closures.days import closed_days
from backcourse.closures.forms import ClosureDayForm, HolidayRegionForm
from backcourse.closures.models import ClosureDay
from backcourse.closures.selectors import sessions_on_closed_days
from backcourse.practices.access import owner_required

HORIZON = timedelta(days=365)


@owner_required
@require_http_methods(["GET", "POST"])
def closures(request: HttpRequest) -> HttpResponse:
    practice = request.practice
    part = request.POST.get("part")
    region_form = HolidayRegionForm(request.POST if part == "region" else None, instance=practice)
    day_form = ClosureDayForm(request.POST if part == "day" else None)
    status = 200
    if part == "region":
        if region_form.is_valid():
            region_form.save()
            messages.success(request, _("Public holidays updated."))
            return redirect("setup:closures")
        status = 400
    elif part == "day":
        if day_form.is_valid():
            try:
                with transaction.atomic():
                    day = day_form.save(commit=False)
                    day.practice = practice
                    day.save()
            except IntegrityError:
                day_form.add_error("day", _("This day is already closed."))
                status = 400
            else:
                messages.success(request, _("Closure day saved."))
                return redirect("setup:closures")
        else:
            status = 400
    today = timezone.now().astimezone(practice.zone).date()
    return render(
        request,
        "closures/closures.html",
        {
            "nav": "setup",
            "region_form": region_form,
            "day_form": day_form,
            "closed": closed_days(practice, today, today + HORIZON),
            "own_days": ClosureDay.objects.filter(practice=practice, day__gte=today),
            "to_move": sessions_on_closed_days(practice, today, today + HORIZON),
        },
        status=status,
    )


@owner_required
@require_POST
def closure_day_delete(request: HttpRequest, pk: int) -> HttpResponse:
    ClosureDay.objects.filter(practice=request.practice, pk=pk).delete()
    messages.success(request, _("Closure day removed."))
    return redirect("setup:closures")
