"""The client's side of scoped access: everything is fetched through the signed-in
client, so another client's object is answered with 404, like one that does not exist.

Staff get 404 on client pages (they use the staff pages); clients get 404 on staff pages
(`practices.access.staff_required`).
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from backcourse.clients.consent import consent_missing
from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.courses.selectors import attach_therapist_and_goal
from backcourse.scheduling.models import Session


def request_client(request: HttpRequest) -> Client | None:
    user = request.user
    if not user.is_authenticated or getattr(request, "staff", None) is not None:
        return None
    # With its practice (language, time zone, settings: every client page reads it).
    client = Client.objects.select_related("practice").filter(user=user).first()
    if client is None:
        return None
    user.client = client  # as `user.client` would have cached it
    if client.is_archived:
        return None
    return client


def client_required(view=None, *, consent: bool = True):
    """Only a signed-in client gets past; `request.client` is set. With `consent`, a
    client who has not agreed to the current consent texts is sent to the consent page."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path(), reverse("portal:login"))
            client = request_client(request)
            if client is None:
                raise Http404("Not a client")
            request.client = client
            # The practice's language, as the staff middleware does for staff.
            translation.activate(client.practice.language)
            request.LANGUAGE_CODE = translation.get_language()
            if consent and consent_missing(client):
                return redirect(f"{reverse('portal:consent')}?next={request.path}")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator(view) if view is not None else decorator


def own_sessions(request: HttpRequest):
    return Session.objects.filter(client=request.client).select_related(
        "practice", "therapist__user", "course", "room"
    )


def own_courses(request: HttpRequest):
    return Course.objects.filter(client=request.client).select_related(
        "goal_measure", "therapist__user"
    )


def access_own_session(request: HttpRequest, pk):
    return _get_or_404(own_sessions(request), pk)


def own_courses_list(request: HttpRequest, **filters) -> list[Course]:
    """The signed-in client's courses (matching `filters`) with their therapist and goal
    measure taken from memory (`attach_therapist_and_goal`), not joined."""
    courses = list(own_courses(request).select_related(None).filter(**filters))
    attach_therapist_and_goal(request.client.practice, courses)
    return courses


def access_own_course(request: HttpRequest, pk):
    course = _get_or_404(own_courses(request).select_related(None), pk)
    # The course's client is the signed-in one (the filter above), with the practice
    # already loaded.
    course.client = request.client
    if course.practice_id == request.client.practice_id:
        course.practice = request.client.practice
    attach_therapist_and_goal(request.client.practice, [course])
    return course


def _get_or_404(queryset, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(f"No {queryset.model._meta.verbose_name} {pk} here") from exc
