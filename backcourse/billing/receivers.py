"""Billing follows a session's life through scheduling's one hook (sent by
scheduling/services.py inside the transaction of every status change)."""

from django.dispatch import receiver

from backcourse.billing import services
from backcourse.scheduling.signals import session_status_changed


@receiver(session_status_changed, dispatch_uid="billing_session_status_changed")
def session_status_changed_billing(sender, *, session, old, new, by=None, now=None, **kwargs):
    services.session_status_changed(session=session, old=old, new=new, by=by, now=now)
