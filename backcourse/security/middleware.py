"""Middleware that keeps bad input and caches away from health data.

- `BadInputMiddleware`: a NUL byte anywhere in the path, the query or a form/JSON body
  is refused with 400 (422 for the API) before any view runs: databases cannot store
  it (PostgreSQL refuses it with an error) and no user types it. An integer beyond any
  database column (an id of 2**63) is answered like a missing object (404), not a 500.
- `NoStoreMiddleware`: every response to a signed-in user, or carrying a credential
  link (calendar feed, sign-in or follow-up link), gets `Cache-Control: no-store`, so
  neither the browser nor a proxy keeps a copy of health data.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.translation import gettext as _

API_PREFIX = "/api/v1/"


def _has_nul(request) -> str | None:
    if "\x00" in request.path or "%00" in request.META.get("QUERY_STRING", ""):
        return "query"
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return key
    content_type = request.META.get("CONTENT_TYPE", "")
    if request.method in ("POST", "PUT", "PATCH"):
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/")):
            try:
                request.body  # noqa: B018  keep the raw body readable for the view
                fields = request.POST.lists()
            except (MultiPartParserError, RequestDataTooBig):
                return None  # Django answers a body it cannot parse with 400 itself
            for key, values in fields:
                if "\x00" in key or any("\x00" in v for v in values):
                    return "body"
        elif b"\x00" in request.body or b"\\u0000" in request.body:
            return "body"
    return None


class BadInputMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        where = _has_nul(request)
        if where is not None:
            message = _("The request contains a NUL character; remove it and try again.")
            if request.path.startswith(API_PREFIX):
                loc = ["body"] if where == "body" else ["query", where]
                return JsonResponse(
                    {"detail": [{"type": "value_error", "loc": loc, "msg": message}]}, status=422
                )
            return HttpResponseBadRequest(message)
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OverflowError) or (
            isinstance(exception, DataError) and "out of range" in str(exception)
        ):
            if request.path.startswith(API_PREFIX):
                return JsonResponse({"detail": "Not Found"}, status=404)
            raise Http404("No such object") from exception
        return None


# Paths whose response is health data even without a signed-in user: a credential is
# in the URL (calendar feeds, sign-in and follow-up links).
CREDENTIAL_PATHS = ("/cal/feed/", "/me/login/", "/me/how-is-it/")


class NoStoreMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if (
            signed_in
            or request.path.startswith(CREDENTIAL_PATHS)
            or request.path.startswith(API_PREFIX)
        ):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
