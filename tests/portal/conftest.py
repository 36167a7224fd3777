"""Portal fixtures: client_a and client_b with their own logins, consent texts published."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backcourse.clients.consent import consent_texts_default
from backcourse.clients.screening import screening_questions_default
from tests import factories as f


def _with_login(client_row):
    user = f.UserFactory(email=client_row.email)
    client_row.user = user
    client_row.save(update_fields=["user"])
    return client_row


@pytest.fixture
def client_a_login(client_a):
    return _with_login(client_a)


@pytest.fixture
def client_b_login(client_b):
    return _with_login(client_b)


@pytest.fixture
def as_client_a(client, client_a_login):
    client.force_login(client_a_login.user)
    return client


@pytest.fixture
def consents_a(practice_a):
    return consent_texts_default(practice_a)


@pytest.fixture
def agreed_a(client_a, consents_a):
    from backcourse.portal.services import consent_agree

    consent_agree(client=client_a, text_ids=[t.pk for t in consents_a])
    return consents_a


@pytest.fixture
def questions_a(practice_a):
    screening_questions_default(practice_a)
    return list(practice_a.screening_questions.all())


@pytest.fixture
def soon_a(course_a):
    """A session of client_a starting in 3 hours (check-in open, cancel closed at 24 h)."""
    return f.SessionFactory(course=course_a, starts_at=timezone.now() + timedelta(hours=3))


@pytest.fixture
def later_a(course_a):
    """A session of client_a in 5 days (check-in not open yet, cancel allowed)."""
    return f.SessionFactory(course=course_a, starts_at=timezone.now() + timedelta(days=5))


@pytest.fixture
def later_b(course_b):
    return f.SessionFactory(course=course_b, starts_at=timezone.now() + timedelta(days=5))
