"""A record is written only for a session that has started: these tests stand on the
afternoon of session_a's day (2 Nov 2026), and their sessions are held by then."""

from datetime import UTC, datetime

import pytest
import time_machine

from tests import factories as f

SESSION_A_STARTS = datetime(2026, 11, 2, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def afternoon_of_session_a():
    with time_machine.travel(datetime(2026, 11, 2, 15, tzinfo=UTC), tick=False):
        yield


@pytest.fixture
def session_a(course_a):
    return f.SessionFactory(course=course_a, starts_at=SESSION_A_STARTS)
