from django.http import HttpRequest

from backcourse.audit.models import AccessEvent


def access_event_record(
    *, request: HttpRequest, client, what: str, action: str = AccessEvent.Action.VIEW
) -> AccessEvent:
    """Write one audit row for a read (or change) of a client's health data."""
    user = request.user if request.user.is_authenticated else None
    return AccessEvent.objects.create(
        user=user,
        practice_id=client.practice_id,
        client=client,
        action=action,
        what=what[:200],
        ip_address=request.META.get("REMOTE_ADDR") or None,
    )
