from datetime import time

import pytest

from backcourse.scheduling.models import SessionType, WorkingHours


@pytest.fixture
def massage(practice_a):
    return SessionType.objects.create(
        practice=practice_a, name="Back massage", duration_minutes=60, buffer_minutes=0
    )


@pytest.fixture
def hours_a(therapist_a):
    for wd in range(7):
        WorkingHours.objects.create(
            therapist=therapist_a, weekday=wd, start_time=time(9), end_time=time(17)
        )
