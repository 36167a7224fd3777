"""Who may do what: the role matrix, in one place.

Each permission is named for what it guards. Pages (`practices.access`), the API (the
same helpers) and the admin (`admin_scoping.admin_owner`) all ask `has_perm`.

Least privilege:
- front desk: the calendar, clients' contact data and money — no SOAP notes, measures,
  intake answers, questionnaires or reports;
- therapist: the calendar, contact data and the practice's clinical data — all clients,
  or only their own (`Practice.therapist_clinical_scope`);
- owner: everything, and only an owner confirms an erasure or sees the audit trail;
- client: their own data in the portal (`portal.access`), nothing else.
"""

from __future__ import annotations

from enum import StrEnum

from django.db.models import Q, QuerySet


class Perm(StrEnum):
    SCHEDULE = "schedule"  # day/week calendar, booking, moving, status, session .ics
    CLIENT_CONTACT = "client_contact"  # client list, names, contact data, paper consent
    MONEY = "money"  # prices, invoices, payments
    CLINICAL_READ = "clinical_read"  # SOAP notes, measures, intake, questionnaires, reports
    CLINICAL_WRITE = "clinical_write"  # session records, measures, courses (plans)
    ERASURE_CONFIRM = "erasure_confirm"  # irreversible erasure of a client
    AUDIT_READ = "audit_read"  # the audit trail
    PRACTICE_ADMIN = "practice_admin"  # admin site, practice settings, staff, 2FA rule
    CALENDAR_FEEDS = "calendar_feeds"  # private ICS feeds (own, and for clients)
    API_TOKENS = "api_tokens"  # own API tokens
    OWN_DATA = "own_data"  # a client's own portal pages


class Role(StrEnum):
    OWNER = "owner"
    THERAPIST = "therapist"
    FRONT_DESK = "front_desk"
    CLIENT = "client"


_STAFF_COMMON = {Perm.SCHEDULE, Perm.CLIENT_CONTACT, Perm.CALENDAR_FEEDS, Perm.API_TOKENS}

ROLE_PERMS: dict[Role, frozenset[Perm]] = {
    Role.OWNER: frozenset(set(Perm) - {Perm.OWN_DATA}),
    Role.THERAPIST: frozenset(_STAFF_COMMON | {Perm.CLINICAL_READ, Perm.CLINICAL_WRITE}),
    Role.FRONT_DESK: frozenset(_STAFF_COMMON | {Perm.MONEY}),
    Role.CLIENT: frozenset({Perm.OWN_DATA}),
}

CLINICAL = {Perm.CLINICAL_READ, Perm.CLINICAL_WRITE}


def staff_has_perm(staff, perm: Perm) -> bool:
    """Whether an (active) StaffMember's role includes `perm`."""
    if staff is None or not staff.is_active:
        return False
    return perm in ROLE_PERMS.get(Role(staff.role), frozenset())


def has_perm(request, perm: Perm) -> bool:
    staff = getattr(request, "staff", None)
    if staff is not None:
        return staff_has_perm(staff, perm)
    if perm is Perm.OWN_DATA:
        user = getattr(request, "user", None)
        return bool(user is not None and user.is_authenticated and hasattr(user, "client"))
    return False


def clinical_only_own(staff) -> bool:
    """A therapist in a practice that shows therapists only their own clients."""
    return (
        staff is not None
        and staff.role == Role.THERAPIST
        and staff.practice.therapist_clinical_scope == "own"
    )


def own_clients_q(staff, prefix: str = "") -> Q:
    """Clients the therapist treats: a course or a session with them."""
    return Q(**{f"{prefix}courses__therapist": staff}) | Q(
        **{f"{prefix}sessions__therapist": staff}
    )


def clinical_clients(staff, clients: QuerySet) -> QuerySet:
    """`clients` narrowed to those whose clinical data `staff` may see."""
    if not clinical_only_own(staff):
        return clients
    return clients.filter(pk__in=clients.model.objects.filter(own_clients_q(staff)).values("pk"))


class PermLabels:
    """For templates: `{% if can.clinical_read %}`."""

    def __init__(self, request):
        self._request = request

    def __getattr__(self, name: str) -> bool:
        try:
            perm = Perm(name)
        except ValueError:
            raise AttributeError(name) from None
        return has_perm(self._request, perm)

    def __getitem__(self, name: str) -> bool:
        try:
            return getattr(self, name)
        except AttributeError:
            raise KeyError(name) from None
