"""Two-factor login (TOTP through django-otp): who must still enter a code.

A staff member who has confirmed an authenticator app must, after the password, enter
a code once per login before any page (or the API through the session) works. The
"verified" mark lives in the session (django-otp), so any app server sees it.
"""

from django.http import HttpRequest
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice


def confirmed_device(user) -> TOTPDevice | None:
    if not user.is_authenticated:
        return None
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def needs_second_factor(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    if getattr(user, "otp_device", None) is not None:  # set by OTPMiddleware
        return False
    return _has_confirmed_device(request)


def _has_confirmed_device(request: HttpRequest) -> bool:
    """Whether the signed-in user has a confirmed authenticator app, asked once per
    request: the middleware asks, and the API's session authentication asks again."""
    known = request.__dict__.get("_has_confirmed_device")
    if known is None:
        known = user_has_device(request.user, confirmed=True)
        request.__dict__["_has_confirmed_device"] = known
    return known


def throttle_message(device: TOTPDevice) -> str | None:
    """A message when the device refuses codes for now (after wrong ones), else None.

    django-otp doubles the wait after every wrong code (1 s, 2 s, 4 s, ...) and keeps
    the count on the device row, so guessing is slow on every app server alike.
    """
    from django.utils import timezone
    from django.utils.translation import gettext as _
    from django.utils.translation import ngettext

    allowed, info = device.verify_is_allowed()
    if allowed:
        return None
    until = (info or {}).get("locked_until")
    seconds = max(1, int((until - timezone.now()).total_seconds()) + 1) if until else None
    if seconds:
        return ngettext(
            "Too many wrong codes. Wait %(seconds)s second, then enter the current code.",
            "Too many wrong codes. Wait %(seconds)s seconds, then enter the current code.",
            seconds,
        ) % {"seconds": seconds}
    return _("Too many wrong codes. Wait a moment, then enter the current code.")


def must_enrol(request: HttpRequest) -> bool:
    """Staff of a practice that requires two-factor login, without an authenticator app
    yet: they set one up before anything else (`Practice.require_two_factor`)."""
    staff = getattr(request, "staff", None)
    if staff is None or not staff.practice.require_two_factor:
        return False
    return not _has_confirmed_device(request)
