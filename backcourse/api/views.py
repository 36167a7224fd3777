"""The staff page for one's own API tokens: create (shown once) and revoke."""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from backcourse.api.forms import ApiTokenForm
from backcourse.api.models import ApiToken
from backcourse.api.services import api_token_create, api_token_revoke
from backcourse.practices.access import staff_required
from backcourse.practices.roles import Perm


def _own_tokens(request: HttpRequest):
    return ApiToken.objects.filter(staff=request.staff)


@staff_required(perm=Perm.API_TOKENS)
@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    new_token = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            row, new_token = api_token_create(staff=request.staff, name=form.cleaned_data["name"])
            form = ApiTokenForm()
    else:
        form = ApiTokenForm()
    # Rendered, not redirected: the token is never stored, so this response is the
    # only place it can ever be seen.
    with timezone.override(request.practice.zone):  # times in the practice's zone
        response = render(
            request,
            "api/tokens.html",
            {"form": form, "tokens": _own_tokens(request), "new_token": new_token, "nav": "api"},
        )
    if new_token:
        response["Cache-Control"] = "no-store"
    return response


@staff_required(perm=Perm.API_TOKENS)
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = _own_tokens(request).filter(pk=pk).first()
    if token is None:
        raise Http404("No such token of yours")
    api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("api:tokens")
