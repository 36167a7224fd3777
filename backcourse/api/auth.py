"""How the API knows who is calling.

Two ways in, both ending with `request.user`, `request.staff` and `request.practice`
set exactly as for a staff page, so `practices.access` scopes and audits API reads the
same way it does for pages:

- `Authorization: Bearer <token>` with a token from the "API tokens" page (for
  integrations). No cookies, so no CSRF.
- The Django session of a signed-in staff member (for the browser docs page and
  scripts run in the browser). Unsafe methods need the CSRF token, as for forms; staff
  with two-factor login must have entered their code in this session.
"""

from django.conf import settings
from django.http import HttpRequest
from ninja.security import HttpBearer
from ninja.security.apikey import APIKeyCookie

from backcourse.accounts.two_factor import must_enrol, needs_second_factor
from backcourse.api.services import api_token_lookup


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        row = api_token_lookup(token)
        if row is None:
            return None
        request.user = row.staff.user
        request.staff = row.staff
        request.practice = row.staff.practice
        request.api_token = row
        return row


class StaffSession(APIKeyCookie):
    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest):
        # Anonymous callers get 401, not a CSRF 403: only check CSRF once there is a
        # session that could be ridden.
        if not request.user.is_authenticated:
            return None
        return super()._get_key(request)

    def authenticate(self, request: HttpRequest, key):
        user = request.user
        if not user.is_authenticated or getattr(request, "staff", None) is None:
            return None
        if needs_second_factor(request) or must_enrol(request):
            return None
        return user
