"""Owner settings pages: owner only, scoped to the practice, clear messages."""

import pytest
from django.urls import reverse

from backcourse.clients.models import ConsentText, ScreeningQuestion
from backcourse.scheduling.models import Room, SessionType, TimeOff, WorkingHours

pytestmark = pytest.mark.django_db

PAGES = [
    "setup:index",
    "setup:practice",
    "setup:booking",
    "setup:rooms",
    "setup:session_types",
    "setup:screening",
    "setup:consent",
    "setup:hours_index",
    "setup:staff",
]


@pytest.mark.parametrize("name", PAGES)
def test_every_page_opens_for_the_owner_only(name, as_owner_a, client, therapist_a, front_desk_a):
    assert as_owner_a.get(reverse(name)).status_code == 200
    for staff in (therapist_a, front_desk_a):
        client.force_login(staff.user)
        assert client.get(reverse(name)).status_code == 404


def test_practice_details_are_saved_and_a_bad_zone_is_refused(as_owner_a, practice_a):
    data = {
        "name": "Rückenwerk",
        "email": "hi@example.org",
        "phone": "+49 30 1",
        "address": "Somewhere 1",
        "language": "de",
        "time_zone": "Europe/Vienna",
    }
    assert as_owner_a.post(reverse("setup:practice"), data).status_code == 302
    practice_a.refresh_from_db()
    assert (practice_a.time_zone, practice_a.language) == ("Europe/Vienna", "de")
    data["time_zone"] = "Mars/Olympus"
    assert as_owner_a.post(reverse("setup:practice"), data).status_code == 400
    practice_a.refresh_from_db()
    assert practice_a.time_zone == "Europe/Vienna"


def rows(prefix="form", total=1, initial=0, **fields):
    data = {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    data.update(fields)
    return data


def test_rooms_are_added_to_my_practice_and_names_stay_unique(as_owner_a, practice_a):
    response = as_owner_a.post(
        reverse("setup:rooms"), rows(**{"form-0-name": "Blue", "form-0-is_active": "on"})
    )
    assert response.status_code == 302
    blue = Room.objects.get()
    assert blue.practice == practice_a
    twice = rows(
        total=2,
        initial=1,
        **{"form-0-id": blue.pk, "form-0-name": "Blue", "form-1-name": "blue"},
    )
    response = as_owner_a.post(reverse("setup:rooms"), twice)
    assert response.status_code == 400
    assert "This name is used twice." in response.content.decode()
    assert Room.objects.count() == 1


def test_another_practices_room_cannot_be_edited(as_owner_a, other_practice):
    theirs = Room.objects.create(practice=other_practice, name="Theirs")
    forged = rows(initial=1, **{"form-0-id": theirs.pk, "form-0-name": "Mine now"})
    assert as_owner_a.post(reverse("setup:rooms"), forged).status_code == 400
    theirs.refresh_from_db()
    assert theirs.name == "Theirs"


def test_session_types_with_duration_and_buffer(as_owner_a, practice_a):
    data = rows(
        **{
            "form-0-name": "Back massage",
            "form-0-duration_minutes": "50",
            "form-0-buffer_minutes": "10",
            "form-0-bookable_online": "on",
            "form-0-is_active": "on",
        }
    )
    assert as_owner_a.post(reverse("setup:session_types"), data).status_code == 302
    kind = SessionType.objects.get(practice=practice_a)
    assert (kind.duration_minutes, kind.buffer_minutes, kind.bookable_online) == (50, 10, True)
    data["form-0-duration_minutes"] = "5"
    data["form-0-name"] = "Too short"
    response = as_owner_a.post(reverse("setup:session_types"), data)
    assert response.status_code == 400
    assert not SessionType.objects.filter(name="Too short").exists()


def test_hours_breaks_and_time_off(as_owner_a, therapist_a, therapist_b):
    url = reverse("setup:hours", args=[therapist_a.pk])
    data = {"part": "weekly"}
    data.update(
        rows(
            "hours",
            **{"hours-0-weekday": "0", "hours-0-start_time": "09:00", "hours-0-end_time": "17:00"},
        )
    )
    data.update(
        rows(
            "breaks",
            **{
                "breaks-0-weekday": "0",
                "breaks-0-start_time": "13:00",
                "breaks-0-end_time": "12:00",
            },
        )
    )
    response = as_owner_a.post(url, data)
    assert response.status_code == 400
    assert "The end must be after the start." in response.content.decode()
    assert not WorkingHours.objects.exists()
    data["breaks-0-end_time"] = "14:00"
    assert as_owner_a.post(url, data).status_code == 302
    assert WorkingHours.objects.get(therapist=therapist_a).end_time.hour == 17
    off = {"part": "off", "first_day": "2026-12-24", "last_day": "2026-12-26", "reason": "Xmas"}
    assert as_owner_a.post(url, off).status_code == 302
    t = TimeOff.objects.get()
    assert (t.ends_at - t.starts_at).days == 3
    # Another practice's therapist is not there.
    assert as_owner_a.get(reverse("setup:hours", args=[therapist_b.pk])).status_code == 404


def test_screening_questions_get_a_code_and_consent_texts_become_versions(as_owner_a, practice_a):
    data = rows(
        **{
            "form-0-text": "Numbness in the saddle area?",
            "form-0-kind": "red_flag",
            "form-0-advice": "Call us first.",
            "form-0-order": "1",
            "form-0-is_active": "on",
        }
    )
    assert as_owner_a.post(reverse("setup:screening"), data).status_code == 302
    assert ScreeningQuestion.objects.get(practice=practice_a).code == "numbness-in-the-saddle-area"
    for text in ("First text.", "Second text."):
        as_owner_a.post(reverse("setup:consent"), {"kind": "treatment", "treatment-text": text})
    versions = ConsentText.objects.filter(practice=practice_a, kind="treatment")
    assert [(c.version, c.text) for c in versions.order_by("version")] == [
        (1, "First text."),
        (2, "Second text."),
    ]
