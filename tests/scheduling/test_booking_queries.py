"""A booking checks just its own slot: a small, fixed number of queries."""

from datetime import UTC, datetime, time
from zoneinfo import ZoneInfo

from backcourse.scheduling import services
from backcourse.scheduling.models import Session, SessionType, WorkingHours
from tests import factories as f

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)  # Wednesday


def test_a_booking_takes_a_few_queries_whatever_the_calendar_holds(
    practice_a, therapist_a, client_a, django_assert_max_num_queries
):
    for wd in range(5):
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=wd, start_time=time(8), end_time=time(18)
        )
    kind = SessionType.objects.create(practice=practice_a, name="Back", duration_minutes=60)
    for hour in (8, 10, 12, 14, 16):  # a busy Friday around the slot
        f.SessionFactory(
            practice=practice_a,
            therapist=therapist_a,
            client=f.ClientFactory(practice=practice_a),
            starts_at=datetime(2026, 11, 27, hour, tzinfo=BERLIN),
        )
    # hours + breaks, time off + sessions, the client's sessions, the insert
    # (plus the savepoint pair of the test's own transaction)
    with django_assert_max_num_queries(6):
        session = services.session_book(
            practice=practice_a,
            therapist=therapist_a,
            client=client_a,
            starts_at=datetime(2026, 11, 27, 11, tzinfo=BERLIN),
            session_type=kind,
            now=NOW,
        )
    assert Session.objects.filter(pk=session.pk).exists()
