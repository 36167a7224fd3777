"""Login throttling with two limits: per username (from one address) and per address
across usernames (password spraying).

django-axes counts failures per lockout parameter (`AXES_LOCKOUT_PARAMETERS`), but has
one limit for all of them. An office behind one address must not be locked out by five
typos of five people, so the per-address count gets its own, higher limit
(`AXES_IP_FAILURE_LIMIT`); this handler scales it onto axes' single limit.
"""

from axes.handlers.database import AxesDatabaseHandler
from django.conf import settings
from django.db.models import Sum


class UsernameAndAddressHandler(AxesDatabaseHandler):
    """AXES_LOCKOUT_PARAMETERS must be [["username", "ip_address"], "ip_address"]."""

    def get_failures(self, request, credentials=None) -> int:
        per_username, per_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        user_limit = settings.AXES_FAILURE_LIMIT
        address_limit = max(settings.AXES_IP_FAILURE_LIMIT, 1)
        # Locked when either count reaches its own limit.
        scaled = per_address * user_limit // address_limit
        return max(per_username, scaled)
