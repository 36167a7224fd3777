"""iCalendar files: one per confirmation or reminder, and the private feeds.

`session_ics(sessions)` is the one entry point other apps call (the booking confirmation
attaches its result). Times are written in UTC (`...Z`), which every calendar accepts and
which survives daylight-saving changes; X-WR-TIMEZONE names the practice's zone so a
calendar app can show the feed in it.
"""

from collections.abc import Iterable
from datetime import UTC, timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from backcourse.scheduling.models import Session

PRODID = "-//Backcourse//Sessions//EN"
FEED_DAYS_BACK = 30


def _uid_domain() -> str:
    return urlsplit(settings.SITE_URL).hostname or "backcourse"


def session_uid(session: Session) -> str:
    """Stable per session: a reschedule updates the same calendar event."""
    return f"session-{session.pk}@{_uid_domain()}"


def _summary(session: Session, audience: str) -> str:
    if audience == "therapist":
        return _("Massage: %(client)s") % {"client": session.client.full_name}
    return _("Massage with %(therapist)s at %(practice)s") % {
        "therapist": session.therapist.name,
        "practice": session.practice.name,
    }


def _event(session: Session, audience: str, stamp) -> Event:
    event = Event()
    event.add("uid", session_uid(session))
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(UTC))
    event.add("dtend", session.ends_at.astimezone(UTC))
    event.add("summary", _summary(session, audience))
    practice = session.practice
    location = ", ".join(
        part
        for part in [
            practice.name,
            " ".join(practice.address.split()),
            getattr(session.room, "name", ""),
        ]
        if part
    )
    event.add("location", location)
    if session.status == Session.Status.CANCELLED:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
    # A cancellation must win over the confirmed copy a calendar imported earlier.
    event.add("sequence", 1 if session.status == Session.Status.CANCELLED else 0)
    return event


def _calendar(name: str | None, zone_name: str | None) -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name:
        cal.add("x-wr-calname", name)
    if zone_name:
        cal.add("x-wr-timezone", zone_name)
    return cal


def session_ics(
    sessions: Iterable[Session],
    *,
    audience: str = "client",
    name: str | None = None,
    practice=None,
) -> bytes:
    """An .ics file with one VEVENT per session (cancelled ones as STATUS:CANCELLED).

    `audience` is "client" (summary names the therapist and practice) or "therapist"
    (summary names the client). Texts are in the practice's language.
    """
    sessions = list(sessions)
    if practice is None and sessions:
        practice = sessions[0].practice
    stamp = timezone.now().astimezone(UTC).replace(microsecond=0)
    language = practice.language if practice else settings.LANGUAGE_CODE
    with translation.override(language):
        cal = _calendar(name, practice.time_zone if practice else None)
        for session in sessions:
            cal.add_component(_event(session, audience, stamp))
    return cal.to_ical()


def feed_sessions(feed, *, now=None):
    """Sessions a feed shows: its owner's, from 30 days back on, cancelled ones included."""
    now = now or timezone.now()
    qs = Session.objects.filter(
        practice_id=feed.practice_id, starts_at__gte=now - timedelta(days=FEED_DAYS_BACK)
    ).select_related("practice", "client", "therapist__user", "room")
    if feed.staff_id:
        qs = qs.filter(therapist_id=feed.staff_id)
    else:
        qs = qs.filter(client_id=feed.client_id)
    return qs.order_by("starts_at", "id")


def feed_ics(feed, *, now=None, sessions=None) -> bytes:
    audience = "therapist" if feed.staff_id else "client"
    name = f"{feed.practice.name} · {feed.owner_name}"
    if sessions is None:
        sessions = feed_sessions(feed, now=now)
    return session_ics(sessions, audience=audience, name=name, practice=feed.practice)
