"""Scoped access: fetch an object *and* check that the signed-in user may see it.

Views never call `Model.objects.get(pk=...)` on health data directly; they call one of
these. An object of another practice is answered with 404, the same as one that does
not exist, so that its existence is not revealed. What a role may do comes from the
role matrix (`practices/roles.py`): a permission the role lacks is answered with 403.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from backcourse.audit.services import access_event_record
from backcourse.practices.roles import (
    Perm,
    clinical_clients,
    clinical_only_own,
    has_perm,
    staff_has_perm,
)


def staff_required(view=None, *, perm: Perm | None = None):
    """Only signed-in, active staff of a practice get past; others log in or get 404.
    With `perm`, the staff member's role must include it (else 403).

    Use as `@staff_required` or `@staff_required(perm=Perm.CLINICAL_READ)`."""

    def decorate(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(request, "staff", None) is None:
                raise Http404("Not a staff member of a practice")
            if perm is not None:
                perm_required(request, perm)
            return view(request, *args, **kwargs)

        wrapper.required_perm = perm
        return wrapper

    return decorate(view) if view is not None else decorate


def perm_required(request: HttpRequest, perm: Perm) -> None:
    """Raise 403 unless the signed-in user's role includes `perm`."""
    if not has_perm(request, perm):
        raise PermissionDenied(f"Your role does not include “{perm.value}”.")


def scoped_clients(request: HttpRequest, *, perm: Perm = Perm.CLIENT_CONTACT):
    # practices sits below the apps whose rows it scopes: imported when called.
    from backcourse.clients.models import Client

    perm_required(request, perm)
    clients = Client.objects.filter(practice=request.practice)
    if perm in (Perm.CLINICAL_READ, Perm.CLINICAL_WRITE):
        clients = clinical_clients(request.staff, clients)
    return clients


def access_client(
    request: HttpRequest,
    pk: int,
    *,
    audit_what: str | None = None,
    perm: Perm = Perm.CLIENT_CONTACT,
):
    client = _get_or_404(scoped_clients(request, perm=perm), pk)
    _reuse_practice(request, client)
    if audit_what:
        access_event_record(request=request, client=client, what=audit_what)
    return client


def scoped_courses(request: HttpRequest, *, perm: Perm = Perm.CLINICAL_READ):
    # practices sits below the apps whose rows it scopes: imported when called.
    from backcourse.courses.models import Course

    perm_required(request, perm)
    courses = Course.objects.filter(practice=request.practice)
    if perm in (Perm.CLINICAL_READ, Perm.CLINICAL_WRITE) and clinical_only_own(request.staff):
        courses = courses.filter(client__in=scoped_clients(request, perm=perm))
    return courses.select_related("client", "therapist__user", "goal_measure")


def access_course(
    request: HttpRequest,
    pk: int,
    *,
    audit_what: str | None = None,
    perm: Perm = Perm.CLINICAL_READ,
):
    # courses sits above practices: imported when called.
    from backcourse.courses.selectors import attach_therapist_and_goal

    # The course with its client; its therapist and goal measure from memory.
    courses = scoped_courses(request, perm=perm).select_related(None).select_related("client")
    course = _get_or_404(courses, pk)
    _reuse_practice(request, course, course.client)
    attach_therapist_and_goal(request.practice, [course])
    if audit_what:
        access_event_record(request=request, client=course.client, what=audit_what)
    return course


def scoped_sessions(request: HttpRequest, *, perm: Perm = Perm.SCHEDULE):
    # practices sits below the apps whose rows it scopes: imported when called.
    from backcourse.scheduling.models import Session

    perm_required(request, perm)
    sessions = Session.objects.filter(practice=request.practice)
    if perm in (Perm.CLINICAL_READ, Perm.CLINICAL_WRITE) and clinical_only_own(request.staff):
        sessions = sessions.filter(client__in=scoped_clients(request, perm=perm))
    return sessions.select_related("client", "therapist__user", "course", "room", "practice")


def access_session(
    request: HttpRequest,
    pk: int,
    *,
    audit_what: str | None = None,
    perm: Perm = Perm.SCHEDULE,
):
    session = _get_or_404(scoped_sessions(request, perm=perm), pk)
    if audit_what:
        access_event_record(request=request, client=session.client, what=audit_what)
    return session


def clinical_client_ids(staff, client_ids) -> set[int]:
    """Of `client_ids`, those whose clinical data (a course's complaint, flag details)
    `staff` may see on a list page: none for front desk, only their own clients for a
    therapist in a practice that chose so."""
    # practices sits below the apps whose rows it scopes: imported when called.
    from backcourse.clients.models import Client

    if not client_ids or not staff_has_perm(staff, Perm.CLINICAL_READ):
        return set()
    if not clinical_only_own(staff):
        return set(client_ids)
    clients = clinical_clients(staff, Client.objects.filter(pk__in=set(client_ids)))
    return set(clients.values_list("pk", flat=True))


def clinical_ids_of_practice(staff) -> set[int] | None:
    """The clients of `staff`'s practice whose clinical data they may see: None for all
    of them (owner, therapist), an empty set for none (front desk), their own clients
    for a therapist in a practice that chose so."""
    from backcourse.clients.models import Client

    if not staff_has_perm(staff, Perm.CLINICAL_READ):
        return set()
    if not clinical_only_own(staff):
        return None
    clients = clinical_clients(staff, Client.objects.filter(practice=staff.practice))
    return set(clients.values_list("pk", flat=True))


def _reuse_practice(request: HttpRequest, *objects) -> None:
    """The objects were fetched from `request.practice` (the scoped querysets filter on
    it): give them the practice already loaded, so that `obj.practice` (time zone,
    language, settings) is not fetched again, once per object."""
    for obj in objects:
        if obj.practice_id == request.practice.pk:
            obj.practice = request.practice


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} {pk} here") from exc


def owner_required(view):
    """Only the practice's owner gets past (settings, staff); other staff get 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        staff = getattr(request, "staff", None)
        if staff is None or not staff.is_owner:
            raise Http404("Only the practice's owner can change its settings")
        return view(request, *args, **kwargs)

    return wrapper
