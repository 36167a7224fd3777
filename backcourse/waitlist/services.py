"""The waitlist: clients ask for an earlier time; freed slots are offered in turn.

Guarantees, and where they are kept:
- First come, first served: entries are served in `created_at` order, one open offer
  per entry, and a slot held by an open offer is not offered to anybody else.
- A hold lasts `WAITLIST_HOLD_MINUTES`; a lapsed offer expires and the slot goes to the
  next person on the next run (never the same slot to the same entry twice, a unique
  constraint).
- Nobody is double-booked: accepting books (or moves) through the session service
  (`calendar.actions`), whose checks and database guards refuse a taken time; the
  offer is then marked "taken meanwhile" and nothing else changes.
The hold is among waitlist offers: a booking made at the desk or online in the
meantime wins, and the offer answers that the time is gone.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from backcourse.calendar import actions
from backcourse.notifications import emails
from backcourse.notifications.outbox import email_queue
from backcourse.scheduling.models import Session
from backcourse.scheduling.selectors import available_slots
from backcourse.waitlist.models import WaitlistEntry, WaitlistOffer


def hold_minutes() -> int:
    return int(getattr(settings, "WAITLIST_HOLD_MINUTES", 30))


class WaitlistRefusal(Exception):
    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


@transaction.atomic
def waitlist_join(
    *,
    client,
    therapist,
    session_type,
    first_day: date,
    last_day: date,
    session: Session | None = None,
    by=None,
    now: datetime | None = None,
) -> WaitlistEntry:
    """Put a client on the therapist's waitlist for a day in first_day..last_day."""
    now = now or timezone.now()
    practice = client.practice
    today = now.astimezone(practice.zone).date()
    for obj in (therapist, session_type):
        if obj.practice_id != practice.pk:
            raise WaitlistRefusal(_("This belongs to another practice."))
    if not (therapist.is_active and therapist.takes_sessions):
        raise WaitlistRefusal(_("This therapist does not take sessions."))
    if last_day < first_day:
        raise WaitlistRefusal(_("The last day cannot be before the first."))
    if last_day < today:
        raise WaitlistRefusal(_("The window lies in the past."))
    if session is not None and (
        session.client_id != client.pk or session.status != Session.Status.BOOKED
    ):
        raise WaitlistRefusal(_("Only your own booked session can be moved earlier."))
    if WaitlistEntry.objects.filter(
        client=client, therapist=therapist, status=WaitlistEntry.Status.WAITING
    ).exists():
        raise WaitlistRefusal(_("You are already on this therapist's waitlist."))
    entry = WaitlistEntry.objects.create(
        practice=practice,
        client=client,
        therapist=therapist,
        session_type=session_type,
        session=session,
        first_day=max(first_day, today),
        last_day=last_day,
        created_by=by,
    )
    transaction.on_commit(lambda: waitlist_offers_make(practice=practice, therapist=therapist))
    return entry


def waitlist_withdraw(*, entry: WaitlistEntry) -> None:
    entry.status = WaitlistEntry.Status.WITHDRAWN
    entry.save(update_fields=["status"])
    entry.offers.filter(status=WaitlistOffer.Status.OPEN).update(
        status=WaitlistOffer.Status.EXPIRED
    )


def _overlaps(ranges, start, end) -> bool:
    return any(a < end and start < b for a, b in ranges)


@transaction.atomic
def waitlist_offers_make(*, practice, therapist=None, now=None) -> list[WaitlistOffer]:
    """Expire lapsed holds, then offer each waiting entry (oldest first) without an open
    offer the earliest free slot in its window that nobody holds. Returns new offers."""
    now = now or timezone.now()
    WaitlistOffer.objects.filter(
        entry__practice=practice, status=WaitlistOffer.Status.OPEN, expires_at__lte=now
    ).update(status=WaitlistOffer.Status.EXPIRED)
    today = now.astimezone(practice.zone).date()
    entries = WaitlistEntry.objects.select_for_update(of=("self",)).filter(
        practice=practice, status=WaitlistEntry.Status.WAITING, last_day__gte=today
    )
    if therapist is not None:
        entries = entries.filter(therapist=therapist)
    entries = list(entries.select_related("therapist", "session_type", "session", "client"))
    open_offers = WaitlistOffer.objects.filter(
        entry__practice=practice, status=WaitlistOffer.Status.OPEN
    ).select_related("entry")
    held: dict[int, list] = {}
    has_offer = set()
    for o in open_offers:
        held.setdefault(o.entry.therapist_id, []).append((o.starts_at, o.ends_at))
        has_offer.add(o.entry_id)
    made = []
    for entry in entries:
        if entry.pk in has_offer:
            continue
        slot = _first_free(entry, today, now, held.get(entry.therapist_id, []))
        if slot is None:
            continue
        offer = WaitlistOffer.objects.create(
            entry=entry,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            expires_at=now + timedelta(minutes=hold_minutes()),
        )
        held.setdefault(entry.therapist_id, []).append((slot.starts_at, slot.ends_at))
        made.append(offer)
        offer_send(offer=offer)  # queued, sent after commit
    return made


def _first_free(entry: WaitlistEntry, today: date, now: datetime, held):
    first = max(entry.first_day, today)
    weeks = max(1, math.ceil(((entry.last_day - first).days + 1) / 7))
    offered = set(entry.offers.values_list("starts_at", flat=True))
    zone = entry.practice.zone
    for slot in available_slots(
        practice=entry.practice,
        session_type=entry.session_type,
        therapist=entry.therapist,
        first_day=first,
        weeks=weeks,
        now=now,
        exclude_session_ids=[entry.session_id] if entry.session_id else [],
    ):
        if slot.starts_at.astimezone(zone).date() > entry.last_day:
            return None
        if entry.session_id and slot.starts_at >= entry.session.starts_at:
            return None  # only an earlier time is worth offering
        if slot.starts_at in offered or _overlaps(held, slot.starts_at, slot.ends_at):
            continue
        return slot
    return None


def offer_link(offer: WaitlistOffer) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("waitlist:offer", args=[offer.token])


def offer_send(*, offer: WaitlistOffer) -> None:
    """Email the offer with its link (queued; it leaves when the transaction commits)."""
    entry = offer.entry
    client = entry.client
    if not client.email:
        return
    practice = entry.practice
    message = emails.waitlist_offer(
        client=client,
        practice=practice,
        therapist=entry.therapist,
        starts_at=offer.starts_at,
        link=offer_link(offer),
        minutes=hold_minutes(),
        moves=entry.session_id is not None,
    )
    email_queue(message)


def waitlist_offer_accept(*, token, now=None) -> tuple[Session | None, str]:
    """Take an offered slot. Returns (session, "") or (None, why not)."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            offer = (
                WaitlistOffer.objects.select_for_update(of=("self",))
                .select_related("entry__practice", "entry__session")
                .get(token=token)
            )
        except (WaitlistOffer.DoesNotExist, ValueError):
            return None, _("This offer is not known.")
        entry = offer.entry
        if offer.status == WaitlistOffer.Status.ACCEPTED:
            return entry.session, ""
        if offer.status != WaitlistOffer.Status.OPEN or offer.expires_at <= now:
            offer.status = WaitlistOffer.Status.EXPIRED
            offer.save(update_fields=["status"])
            return None, _("This offer has expired; the time went to the next person waiting.")
        try:
            with transaction.atomic():
                if entry.session_id:
                    session = actions.move(session=entry.session, starts_at=offer.starts_at)
                else:
                    session = actions.book(
                        practice=entry.practice,
                        therapist=entry.therapist,
                        client=entry.client,
                        session_type=entry.session_type,
                        starts_at=offer.starts_at,
                    )
        except actions.CalendarRefusal as exc:
            offer.status = WaitlistOffer.Status.TAKEN
            offer.save(update_fields=["status"])
            return None, exc.message
        offer.status = WaitlistOffer.Status.ACCEPTED
        offer.save(update_fields=["status"])
        entry.status = WaitlistEntry.Status.BOOKED
        entry.session = session
        entry.save(update_fields=["status", "session"])
    return session, ""
