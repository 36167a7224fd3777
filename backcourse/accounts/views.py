"""Two-factor login: enrol an authenticator app, and the "enter your code" step."""

from base64 import b32encode

import django_otp
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods
from django_otp.plugins.otp_totp.models import TOTPDevice

from backcourse.accounts.forms import CodeForm
from backcourse.accounts.services import two_factor_confirm, two_factor_disable
from backcourse.accounts.two_factor import confirmed_device, needs_second_factor
from backcourse.security.redirects import safe_next_url


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    return safe_next_url(request, target, settings.LOGIN_REDIRECT_URL)


def _pending_device(user) -> TOTPDevice:
    """The user's not-yet-confirmed device, kept across visits so that an app that has
    already scanned the secret can still confirm it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-id").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)
    return device


def _grouped_secret(device: TOTPDevice) -> str:
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Turn two-factor login on (scan, confirm with a code) or off (with a code)."""
    device = confirmed_device(request.user)
    if device is not None:
        form = CodeForm(request.POST or None, device=device)
        practice = getattr(request, "practice", None)
        if request.method == "POST" and practice is not None and practice.require_two_factor:
            messages.error(
                request, _("Your practice requires two-factor login; it cannot be turned off.")
            )
            return redirect("accounts:two_factor")
        if request.method == "POST" and form.is_valid():
            two_factor_disable(user=request.user)
            messages.success(request, _("Two-factor login is off."))
            return redirect("accounts:two_factor")
        return render(
            request,
            "accounts/two_factor_on.html",
            {"form": form, "device": device, "wide_fields": ["code"]},
        )

    pending = _pending_device(request.user)
    form = CodeForm(request.POST or None, device=pending)
    if request.method == "POST" and form.is_valid():
        two_factor_confirm(device=pending)
        django_otp.login(request, pending)  # this session has just proven the code
        messages.success(
            request, _("Two-factor login is on. Each login now asks for a code from your app.")
        )
        return redirect("accounts:two_factor")
    return render(
        request,
        "accounts/two_factor_enrol.html",
        {
            "form": form,
            "otpauth_uri": pending.config_url,
            "secret": _grouped_secret(pending),
            "wide_fields": ["code"],
        },
    )


@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The step after the password for staff with an authenticator app."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if not needs_second_factor(request):
        return redirect(_safe_next(request))
    device = confirmed_device(request.user)
    form = CodeForm(request.POST or None, device=device)
    if request.method == "POST" and form.is_valid():
        django_otp.login(request, device)
        return redirect(_safe_next(request))
    return render(
        request,
        "accounts/two_factor_verify.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "wide_fields": ["code"],
            # No navigation yet: none of it opens before the code is entered.
            "current_staff": None,
        },
    )


def home(request: HttpRequest) -> HttpResponse:
    """Where "Backcourse" and a fresh login lead: staff to their day, clients to their
    own pages, anyone else to the login."""
    if not request.user.is_authenticated:
        return redirect(settings.LOGIN_URL)
    if getattr(request, "staff", None) is not None:
        return redirect("scheduling:day")
    if hasattr(request.user, "client"):
        return redirect("portal:home")
    if request.user.is_staff:
        return redirect("admin:index")
    return redirect(settings.LOGIN_URL)
