"""Where to go after a form: a `next` the user (or an attacker) supplied is followed
only when it is a path on this site."""

from django.http import HttpRequest, HttpResponseRedirect
from django.shortcuts import resolve_url
from django.utils.http import url_has_allowed_host_and_scheme


def safe_next_url(request: HttpRequest, candidate: str | None, default: str) -> str:
    """`candidate` if it is a local path ("/…", not "//…"), else `default` (a URL or
    a URL name). Never a bare word such as "abc", which `redirect()` would try to
    resolve as a view name and fail with a server error."""
    candidate = (candidate or "").strip()
    if (
        candidate.startswith("/")
        and not candidate.startswith("//")
        and "\\" not in candidate
        and url_has_allowed_host_and_scheme(
            candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
    ):
        return candidate
    return resolve_url(default) if default else ""


def redirect_next(request: HttpRequest, candidate: str | None, default: str):
    return HttpResponseRedirect(safe_next_url(request, candidate, default))
