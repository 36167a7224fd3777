"""Staff on- and off-boarding for the owner: invite, change role, deactivate."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backcourse.practices.access import owner_required
from backcourse.practices.models import StaffMember
from backcourse.scheduling.models import Session
from backcourse.setup import services
from backcourse.setup.forms import InviteForm, StaffChangeForm


@owner_required
@require_http_methods(["GET", "POST"])
def staff(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, initial={"role": "therapist", "takes_sessions": True})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                member = services.staff_invite(
                    practice=request.practice,
                    email=data["email"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    role=data["role"],
                    takes_sessions=data["takes_sessions"],
                    invited_by=request.user,
                )
            except services.StaffChangeRefused as exc:
                form.add_error("email", exc.message)
            else:
                messages.success(
                    request,
                    _("Invitation sent to %(email)s.") % {"email": member.user.email},
                )
                return redirect("setup:staff")
        status = 400
    members = StaffMember.objects.filter(practice=request.practice).select_related("user")
    return render(
        request,
        "setup/staff.html",
        {
            "nav": "setup",
            "form": form,
            "members": [
                (
                    m,
                    StaffChangeForm(
                        initial={"role": m.role, "takes_sessions": m.takes_sessions},
                        prefix=f"staff{m.pk}",
                    ),
                )
                for m in members
            ],
        },
        status=status,
    )


@owner_required
@require_POST
def staff_change(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_object_or_404(
        StaffMember.objects.select_related("user"), practice=request.practice, pk=pk
    )
    action = request.POST.get("action")
    try:
        if action == "deactivate":
            revoked = services.staff_deactivate(staff=member)
            upcoming = Session.objects.filter(
                therapist=member, status=Session.Status.BOOKED, starts_at__gte=timezone.now()
            ).count()
            messages.success(
                request,
                _(
                    "%(name)s can no longer sign in; %(feeds)s calendar feeds and %(tokens)s "
                    "API tokens revoked. Their %(upcoming)s upcoming sessions stay booked: "
                    "move them in the calendar."
                )
                % {"name": member.name, "upcoming": upcoming, **revoked},
            )
        elif action == "reactivate":
            services.staff_reactivate(staff=member)
            messages.success(request, _("%(name)s can sign in again.") % {"name": member.name})
        elif action == "resend":
            services.invitation_send(staff=member, invited_by=request.user)
            messages.success(request, _("Invitation sent again."))
        else:
            form = StaffChangeForm(request.POST, prefix=f"staff{member.pk}")
            if not form.is_valid():
                messages.error(request, _("Choose a role."))
                return redirect("setup:staff")
            services.staff_update(
                staff=member,
                role=form.cleaned_data["role"],
                takes_sessions=form.cleaned_data["takes_sessions"],
            )
            messages.success(request, _("%(name)s: saved.") % {"name": member.name})
    except services.StaffChangeRefused as exc:
        messages.error(request, exc.message)
    return redirect("setup:staff")
