"""Scoped access: fetch an object *and* check that the signed-in user may see it.

Views never call `Model.objects.get(pk=...)` on health data directly; they call one of
these. An object of another practice is answered with 404, the same as one that does
not exist, so that its existence is not revealed.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest

from backcourse.audit.services import access_event_record


def staff_required(view):
    """Only signed-in, active staff of a practice get past; others log in or get 404."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(request, "staff", None) is None:
            raise Http404("Not a staff member of a practice")
        return view(request, *args, **kwargs)

    return wrapper


def scoped_clients(request: HttpRequest):
    # practices sits below the apps whose rows it scopes: imported when called.
    from backcourse.clients.models import Client

    return Client.objects.filter(practice=request.practice)


def access_client(request: HttpRequest, pk: int, *, audit_what: str | None = None):
    client = _get_or_404(scoped_clients(request), pk)
    if audit_what:
        access_event_record(request=request, client=client, what=audit_what)
    return client


def scoped_courses(request: HttpRequest):
    # practices sits below the apps whose rows it scopes: imported when called.
    from backcourse.courses.models import Course

    return Course.objects.filter(practice=request.practice).select_related(
        "client", "therapist__user", "goal_measure"
    )


def access_course(request: HttpRequest, pk: int, *, audit_what: str | None = None):
    course = _get_or_404(scoped_courses(request), pk)
    if audit_what:
        access_event_record(request=request, client=course.client, what=audit_what)
    return course


def scoped_sessions(request: HttpRequest):
    # practices sits below the apps whose rows it scopes: imported when called.
    from backcourse.scheduling.models import Session

    return Session.objects.filter(practice=request.practice).select_related(
        "client", "therapist__user", "course", "room", "practice"
    )


def access_session(request: HttpRequest, pk: int, *, audit_what: str | None = None):
    session = _get_or_404(scoped_sessions(request), pk)
    if audit_what:
        access_event_record(request=request, client=session.client, what=audit_what)
    return session


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
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
