"""Session.transition_problem: the one table of which status may follow which, and when.

Plain model instances (no database): before the check-in opens, once it is open, during
the session and after it.
"""

from datetime import UTC, datetime, timedelta

import pytest

from backcourse.scheduling import errors
from backcourse.scheduling.models import Session

START = datetime(2026, 6, 5, 8, tzinfo=UTC)
DAYS_BEFORE = START - timedelta(days=3)
HOUR_BEFORE = START - timedelta(hours=1)
DURING = START + timedelta(minutes=20)
AFTER = START + timedelta(hours=3)
B, CI, C, X, N = "booked", "checked_in", "completed", "cancelled", "no_show"


def session(status, *, record=False):
    s = Session(status=status, starts_at=START, duration_minutes=60)
    s.ends_at = START + timedelta(minutes=60)
    if record:
        s._state.fields_cache["record"] = object()  # as select_related("record") leaves it
    return s


@pytest.mark.parametrize(
    ("old", "new", "now", "problem"),
    [
        # booked
        (B, CI, DAYS_BEFORE, errors.CHECK_IN_NOT_OPEN),
        (B, CI, HOUR_BEFORE, None),
        (B, CI, AFTER, errors.CHECK_IN_NOT_OPEN),
        (B, C, HOUR_BEFORE, errors.NOT_STARTED),
        (B, C, DURING, None),
        (B, N, HOUR_BEFORE, errors.NOT_STARTED),
        (B, N, DURING, None),
        (B, X, DAYS_BEFORE, None),
        (B, X, AFTER, None),
        (B, B, DURING, errors.SAME_STATUS),
        # checked in
        (CI, X, HOUR_BEFORE, None),
        (CI, X, DURING, errors.ALREADY_STARTED),
        (CI, C, DURING, None),
        (CI, N, DURING, None),
        (CI, B, HOUR_BEFORE, errors.NOT_ALLOWED),
        # completed: only corrected to a no-show while no record says it was held
        (C, N, AFTER, None),
        (C, CI, AFTER, errors.NOT_ALLOWED),
        (C, X, AFTER, errors.NOT_ALLOWED),
        (C, B, AFTER, errors.NOT_ALLOWED),
        # no-show: undone, or the client came late after all
        (N, B, AFTER, None),
        (N, C, AFTER, None),
        (N, X, AFTER, errors.NOT_ALLOWED),
        # cancelled: final
        (X, B, DAYS_BEFORE, errors.NOT_ALLOWED),
        (X, CI, HOUR_BEFORE, errors.NOT_ALLOWED),
        (X, C, AFTER, errors.NOT_ALLOWED),
        (X, N, AFTER, errors.NOT_ALLOWED),
        # nonsense
        (B, "deleted", DURING, errors.UNKNOWN_STATUS),
    ],
)
def test_transition_table(old, new, now, problem):
    s = session(old)
    assert s.transition_problem(new, now) == problem
    assert s.can_become(new, now) is (problem is None)


def test_a_completed_session_with_a_record_stays_completed():
    assert session(C, record=True).transition_problem(N, AFTER) == errors.HAS_RECORD


def test_next_statuses_are_what_the_day_view_offers():
    assert session(B).next_statuses(DAYS_BEFORE) == [X]
    assert session(B).next_statuses(DURING) == [CI, C, X, N]
    assert session(CI).next_statuses(DURING) == [C, N]
    assert session(X).next_statuses(AFTER) == []


@pytest.mark.parametrize(
    ("status", "now", "check_in", "problem"),
    [
        (B, HOUR_BEFORE, False, errors.RECORD_TOO_EARLY),
        (B, DURING, False, None),
        (CI, HOUR_BEFORE, True, None),  # the client's own "before" values
        (CI, HOUR_BEFORE, False, errors.RECORD_TOO_EARLY),
        (B, HOUR_BEFORE, True, errors.RECORD_TOO_EARLY),
        (X, AFTER, False, errors.NOT_HELD),
        (N, AFTER, False, errors.NOT_HELD),
        (C, AFTER, False, None),
    ],
)
def test_the_held_session_rule_for_records(status, now, check_in, problem):
    assert session(status).record_problem(now, check_in=check_in) == problem
