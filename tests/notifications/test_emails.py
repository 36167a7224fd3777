"""Every outgoing email is built in one place (notifications/emails.py), one way: a
subject and a body template, in the practice's language, plain text (a practice called
"Rücken & Co" is not written "Rücken &amp; Co"), and queued by the request rather than
sent in it."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core import mail

from backcourse.notifications import emails
from backcourse.portal.services import followup_send, signin_link_send
from tests import factories as f

NOW = datetime(2026, 6, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def ampersand(practice_a):
    practice_a.name = "Rücken & Co"
    practice_a.save(update_fields=["name"])
    return practice_a


def test_each_email_is_plain_text_with_a_one_line_subject(ampersand, course_a, therapist_a):
    session = f.SessionFactory(course=course_a, starts_at=datetime(2026, 6, 3, 8, tzinfo=UTC))
    built = [
        emails.signin_link(client=course_a.client, link="https://x/l", minutes=30),
        emails.followup(session=session, link="https://x/f"),
        emails.session_booked(
            session=session, email="c@example.org", manage_url="https://x/m", forms_missing=[]
        ),
        emails.staff_invitation(staff=therapist_a, inviter="Olga", link="https://x/i", days=3),
        emails.waitlist_offer(
            client=course_a.client,
            practice=ampersand,
            therapist=therapist_a,
            starts_at=session.starts_at,
            link="https://x/w",
            minutes=30,
            moves=False,
        ),
    ]
    for message in built:
        assert "\n" not in message.subject, message.subject
        assert "&amp;" not in message.subject + message.body, message.subject
        assert "https://x/" in message.body, message.subject
    assert "Rücken & Co" in built[0].subject


def test_the_language_is_the_practices(practice_a, client_a):
    practice_a.language = "de"
    practice_a.save(update_fields=["language"])
    message = emails.signin_link(client=client_a, link="https://x/l", minutes=30)
    assert message.subject == f"Ihr Anmeldelink für {practice_a.name}"
    assert message.body.startswith("Hallo Clara,")


def test_the_sign_in_link_and_the_follow_up_are_queued_not_sent_in_the_request(
    practice_a, client_a, course_a, django_capture_on_commit_callbacks
):
    session = f.SessionFactory(course=course_a, starts_at=datetime(2026, 5, 31, 8, tzinfo=UTC))
    with django_capture_on_commit_callbacks() as queued:
        assert signin_link_send(email=client_a.email) == 1
        assert followup_send(session=session)
    assert mail.outbox == [] and len(queued) == 2
    for send in queued:
        send()
    subjects = [m.subject for m in mail.outbox]
    assert subjects == [f"Your sign-in link for {practice_a.name}", "How is your back today?"]


@pytest.mark.parametrize(
    ("language", "subject", "in_body"),
    [
        ("en", "An earlier time is free: Wednesday 3 June 2026, 10:00", "Wednesday 3 June 2026"),
        ("de", "Mittwoch, 3. Juni 2026, 10:00", "Mittwoch, 3. Juni 2026, 10:00"),
    ],
)
def test_the_waiting_list_offer_dates_in_the_practices_language(
    language, subject, in_body, practice_a, client_a, therapist_a
):
    """Like every other email: the practice language's date format, not a fixed
    "d.m. H:i" (3 June read "03.06. 10:00" in English)."""
    practice_a.language = language
    practice_a.save(update_fields=["language"])
    message = emails.waitlist_offer(
        client=client_a,
        practice=practice_a,
        therapist=therapist_a,
        starts_at=datetime(2026, 6, 3, 8, tzinfo=UTC),  # 10:00 in Berlin
        link="https://x/w",
        minutes=30,
        moves=False,
    )
    assert subject in message.subject
    assert "03.06." not in message.subject
    assert in_body in message.body
