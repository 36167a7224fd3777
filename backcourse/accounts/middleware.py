from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse

from backcourse.accounts.two_factor import must_enrol, needs_second_factor

# Reachable before the code is entered: the code page itself, logging out, static files,
# and the API (whose session authentication refuses unverified sessions with 401).
_OPEN_PREFIXES = ("/api/v1/",)


class TwoFactorMiddleware:
    """After the password, staff with a confirmed authenticator app are sent to the
    "enter your code" page until they have entered one in this login session."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if needs_second_factor(request) and not self._is_open(request.path):
            target = reverse("accounts:two_factor_verify")
            return redirect(f"{target}?next={_quote(request.get_full_path())}")
        if (
            must_enrol(request)
            and not self._is_open(request.path)
            and request.path != reverse("accounts:two_factor")
        ):
            # The practice requires two-factor login: set it up first.
            return redirect("accounts:two_factor")
        return self.get_response(request)

    @staticmethod
    def _is_open(path: str) -> bool:
        open_paths = (
            reverse("accounts:two_factor_verify"),
            reverse("accounts:logout"),
            reverse("accounts:login"),
        )
        static = "/" + settings.STATIC_URL.lstrip("/")
        return path in open_paths or path.startswith((static, *_OPEN_PREFIXES))


def _quote(path: str) -> str:
    from urllib.parse import quote

    return quote(path, safe="/")
