"""Writes of the API app: its tokens. (Measures posted through the API are written by
records/services.py, the one writer of session records.)"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from backcourse.api.models import ApiToken, token_generate, token_hash
from backcourse.practices.models import StaffMember

# Writing last_used_at on every request would turn every read into a write; a minute
# is precise enough to see whether a token is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, staff: StaffMember, name: str) -> tuple[ApiToken, str]:
    """Create a token for `staff`. Returns the row and the token itself (shown once)."""
    token = token_generate()
    row = ApiToken.objects.create(
        staff=staff, name=name.strip(), token_hash=token_hash(token), prefix=token[:7]
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_lookup(raw: str) -> ApiToken | None:
    """The usable token matching `raw`, marking it used; None if unknown or revoked."""
    if not raw:
        return None
    token: ApiToken | None = (
        ApiToken.objects.usable()
        .select_related("staff__user", "staff__practice")
        .filter(token_hash=token_hash(raw.strip()))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
