"""Who may see and handle money, following `practices/access.py`: fetch and check in one
call; another practice's objects answer 404 like missing ones.

Owners and front desk handle money. A therapist sees only the charges for their own
sessions (`billing:my_charges`); every other money page answers 403 to them.
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.shortcuts import get_object_or_404

from backcourse.billing.models import FeeProposal, Invoice
from backcourse.practices.access import staff_required
from backcourse.practices.models import StaffMember

MONEY_ROLES = (StaffMember.Role.OWNER, StaffMember.Role.FRONT_DESK)


def handles_money(staff) -> bool:
    return staff is not None and staff.role in MONEY_ROLES


def money_required(view):
    """Signed-in owners and front desk of a practice get past; therapists get 403."""

    @staff_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not handles_money(request.staff):
            raise PermissionDenied("Money is handled by the front desk and owners")
        return view(request, *args, **kwargs)

    return wrapper


def scoped_invoices(request: HttpRequest):
    return Invoice.objects.filter(practice=request.practice).select_related(
        "client", "practice", "corrects"
    )


def access_invoice(request: HttpRequest, pk) -> Invoice:
    return get_object_or_404(scoped_invoices(request), pk=pk)


def access_fee(request: HttpRequest, pk) -> FeeProposal:
    return get_object_or_404(
        FeeProposal.objects.filter(practice=request.practice).select_related("session__client"),
        pk=pk,
    )
