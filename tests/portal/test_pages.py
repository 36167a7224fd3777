import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from backcourse.clients.models import Intake
from backcourse.portal.models import CheckIn, ErasureRequest
from backcourse.records.models import Measurement, SessionRecord
from backcourse.scheduling.models import Session
from tests import factories as f


def test_home_lists_upcoming_sessions_with_actions(as_client_a, agreed_a, soon_a, later_a):
    response = as_client_a.get(reverse("portal:home"))
    assert response.status_code == 200
    html = response.content.decode()
    assert reverse("portal:checkin", args=[soon_a.pk]) in html
    assert reverse("portal:cancel", args=[later_a.pk]) in html
    assert reverse("portal:cancel", args=[soon_a.pk]) not in html  # inside the notice period


def test_home_shows_each_sessions_therapist_and_room(
    as_client_a, agreed_a, practice_a, client_a, later_a
):
    # The sessions are read without therapists and rooms: they are attached (the
    # course's therapist without a query), each session its own.
    colleague = f.StaffFactory(practice=practice_a, display_name="Carl Colleague")
    room = f.RoomFactory(practice=practice_a, name="Room Lindenblüte")
    f.SessionFactory(
        course=None,
        client=client_a,
        practice=practice_a,
        therapist=colleague,
        room=room,
        starts_at=timezone.now() + timedelta(days=6),
    )
    html = as_client_a.get(reverse("portal:home")).content.decode()
    assert "· Anna Berg</span>" in html
    assert "· Carl Colleague · Room Lindenblüte</span>" in html


def test_home_does_not_show_another_clients_sessions(as_client_a, agreed_a, later_b):
    html = as_client_a.get(reverse("portal:home")).content.decode()
    assert reverse("portal:cancel", args=[later_b.pk]) not in html


def test_client_cancels_within_the_notice_period_only(as_client_a, agreed_a, soon_a, later_a):
    response = as_client_a.post(reverse("portal:cancel", args=[later_a.pk]), follow=True)
    assert b"cancelled" in response.content
    later_a.refresh_from_db()
    assert later_a.status == Session.Status.CANCELLED
    response = as_client_a.post(reverse("portal:cancel", args=[soon_a.pk]), follow=True)
    assert b"call the practice" in response.content
    soon_a.refresh_from_db()
    assert soon_a.status == Session.Status.BOOKED


def test_a_bad_new_time_gets_a_message_and_changes_nothing(as_client_a, agreed_a, later_a):
    response = as_client_a.post(
        reverse("portal:reschedule", args=[later_a.pk]), {"starts_at": "tomorrow-ish"}
    )
    assert b"Please choose one of the free times." in response.content
    before = later_a.starts_at
    later_a.refresh_from_db()
    assert later_a.starts_at == before


def test_course_page_shows_progress_in_plain_words(as_client_a, agreed_a, course_a):
    pain = f.MeasureDefinition.objects.get(code="pain")
    start = timezone.now() - timedelta(days=21)
    for k, (before, after) in enumerate([(7, 4), (5, 3), (4, 2)]):
        s = f.SessionFactory(
            course=course_a, starts_at=start + timedelta(days=7 * k), status="completed"
        )
        record = SessionRecord.objects.create(session=s)
        Measurement.objects.create(record=record, measure=pain, moment="before", value=before)
        Measurement.objects.create(record=record, measure=pain, moment="after", value=after)
    response = as_client_a.get(reverse("portal:course", args=[course_a.pk]))
    assert response.status_code == 200
    assert b"your pain was 7 out of 10; now it is 4" in response.content
    # The figures of the staff panel, numbered alike, in the second person.
    html = response.content.decode()
    assert '<li value="1">Right after a session you were on average 2.3 points better' in html
    assert "What they are not: a diagnosis" in html


def test_json_export_holds_the_clients_own_data(as_client_a, agreed_a, soon_a, client_a):
    CheckIn.objects.create(session=soon_a, pain=5, stress=3, note="ok")
    response = as_client_a.get(reverse("portal:export_json"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["client"]["last_name"] == "Adler"
    assert data["sessions"][0]["check_in"]["pain"] == 5
    assert len(data["consents"]) == 2


def test_pdf_export_is_a_pdf(as_client_a, agreed_a, soon_a):
    response = as_client_a.get(reverse("portal:export_pdf"))
    assert response.status_code == 200
    assert response.content.startswith(b"%PDF")


def test_exports_never_contain_another_clients_data(as_client_a, agreed_a, later_b, client_b):
    data = as_client_a.get(reverse("portal:export_json")).content.decode()
    assert client_b.last_name not in data


def test_erasure_is_requested_and_confirmed_by_staff_keeping_legal_records(
    client, as_client_a, agreed_a, client_a, soon_a, therapist_a, questions_a
):
    Intake.objects.create(client=client_a, complaint="Back")
    CheckIn.objects.create(session=soon_a, pain=5, stress=3)
    SessionRecord.objects.create(session=soon_a, subjective="Kept by law")
    response = as_client_a.post(reverse("portal:erase"), {})
    assert not ErasureRequest.objects.exists()  # the box must be ticked
    response = as_client_a.post(reverse("portal:erase"), {"confirm": "yes"}, follow=True)
    assert b"The practice will confirm it" in response.content
    erasure = ErasureRequest.objects.get()
    client.force_login(therapist_a.user)
    assert b"Adler" in client.get(reverse("portal:staff_erasure")).content
    # Only an owner confirms an irreversible erasure.
    response = client.post(reverse("portal:staff_erasure_confirm", args=[erasure.pk]))
    assert response.status_code == 403
    erasure.refresh_from_db()
    assert erasure.status == "pending"
    owner = f.StaffFactory(practice=client_a.practice, role="owner", takes_sessions=False)
    client.force_login(owner.user)
    client.post(reverse("portal:staff_erasure_confirm", args=[erasure.pk]))
    client_a.refresh_from_db()
    assert client_a.is_archived and client_a.email == "" and client_a.user is None
    assert not Intake.objects.exists() and not CheckIn.objects.exists()
    assert SessionRecord.objects.get().subjective == "Kept by law"
    assert client_a.consents.count() == 2


def test_staff_of_another_practice_cannot_confirm_an_erasure(
    as_therapist_b, therapist_b, client_a_login
):
    erasure = ErasureRequest.objects.create(
        practice=client_a_login.practice, client=client_a_login, client_name="Clara Adler"
    )
    therapist_b.role = "owner"
    therapist_b.save()
    response = as_therapist_b.post(reverse("portal:staff_erasure_confirm", args=[erasure.pk]))
    assert response.status_code == 404
    assert b"Adler" not in as_therapist_b.get(reverse("portal:staff_erasure")).content
    erasure.refresh_from_db()
    assert erasure.status == "pending"


@pytest.mark.parametrize(
    "name,method",
    [
        ("portal:checkin", "get"),
        ("portal:checkin", "post"),
        ("portal:cancel", "post"),
        ("portal:reschedule", "get"),
        ("portal:reschedule", "post"),
    ],
)
def test_every_session_page_refuses_another_clients_session(
    as_client_a, agreed_a, later_b, name, method
):
    url = reverse(name, args=[later_b.pk])
    response = getattr(as_client_a, method)(
        url, {"pain": "1", "stress": "1", "starts_at": "2030-01-01T10:00"}
    )
    assert response.status_code == 404
    later_b.refresh_from_db()
    assert later_b.status == "booked"


@pytest.mark.parametrize("name", ["portal:course", "portal:questionnaire"])
def test_every_course_page_refuses_another_clients_course(as_client_a, agreed_a, course_b, name):
    args = [course_b.pk] if name == "portal:course" else [course_b.pk, "rmdq"]
    assert as_client_a.get(reverse(name, args=args)).status_code == 404


def test_a_client_of_the_same_practice_is_refused_too(
    as_client_a, agreed_a, practice_a, therapist_a
):
    other = f.ClientFactory(practice=practice_a)
    course = f.CourseFactory(client=other, therapist=therapist_a)
    session = f.SessionFactory(course=course, starts_at=timezone.now() + timedelta(hours=2))
    assert as_client_a.get(reverse("portal:course", args=[course.pk])).status_code == 404
    assert as_client_a.get(reverse("portal:checkin", args=[session.pk])).status_code == 404


_ = Decimal
