"""A cancelled session frees its time: offer it to the therapist's waitlist once the
cancellation is committed (scheduling's `session_status_changed` hook)."""

from django.db import transaction
from django.dispatch import receiver

from backcourse.scheduling.models import Session
from backcourse.scheduling.signals import session_status_changed
from backcourse.waitlist.services import waitlist_offers_make


@receiver(session_status_changed, dispatch_uid="waitlist_offer_freed_time")
def _offer_freed_time(sender, session: Session, old, new, **kwargs) -> None:
    if new != Session.Status.CANCELLED:
        return
    practice, therapist = session.practice, session.therapist
    transaction.on_commit(lambda: waitlist_offers_make(practice=practice, therapist=therapist))
