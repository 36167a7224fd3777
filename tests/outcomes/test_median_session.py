"""The median session of a complaint, from the counts of courses per session."""

import pytest

from backcourse.outcomes.selectors import ComplaintOutcome


def expanded_median(reached_at):
    values = sorted(k for k, c in reached_at.items() for _ in range(c))
    if not values:
        return None
    mid = len(values) // 2
    return values[mid] if len(values) % 2 else (values[mid - 1] + values[mid]) / 2


@pytest.mark.parametrize(
    "reached_at",
    [
        {},
        {3: 0},
        {4: 1},
        {2: 1, 5: 1},  # even: halfway between
        {5: 2, 1: 1},  # odd, keys out of order
        {1: 3, 2: 1, 7: 2},
        {6: 10_000, 2: 9_999, 9: 2},  # large counts are not expanded
    ],
)
def test_median_session_is_the_median_of_one_value_per_course(reached_at):
    median = ComplaintOutcome("Low back", reached_at=reached_at).median_session
    assert median == expanded_median(reached_at)
    assert type(median) is type(expanded_median(reached_at))
