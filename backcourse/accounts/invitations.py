"""A colleague's first sign-in: the one-time link from the owner's invitation.

The link is Django's password-reset token (`default_token_generator`): it is bound to
the user's current password, so it stops working as soon as a password is set, and it
expires after PASSWORD_RESET_TIMEOUT. Django's own reset view would do, but this page
also signs the colleague in and offers two-factor login straight away.
"""

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.forms import SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backcourse.accounts.models import User


def _invited_user(uidb64: str, token: str):
    try:
        user = User.objects.get(pk=int(force_str(urlsafe_base64_decode(uidb64))), is_active=True)
    except (User.DoesNotExist, ValueError, TypeError, OverflowError):
        return None
    if user.has_usable_password() or not default_token_generator.check_token(user, token):
        return None
    return user


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    user = _invited_user(uidb64, token)
    if user is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(
            request,
            _("Welcome! Your password is set. You can turn on two-factor login here."),
        )
        return redirect("accounts:two_factor")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"form": form, "invited": user},
        status=400 if request.method == "POST" else 200,
    )
