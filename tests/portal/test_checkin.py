from datetime import timedelta
from decimal import Decimal

import time_machine
from django.urls import reverse

from backcourse.measures.models import MeasureDefinition
from backcourse.portal.models import CheckIn
from backcourse.records.models import Measurement, SessionRecord


def _before(session, code):
    m = Measurement.objects.filter(
        record__session=session, measure__code=code, moment="before"
    ).first()
    return m and m.value


def test_check_in_becomes_the_before_measures(as_client_a, agreed_a, soon_a):
    response = as_client_a.post(
        reverse("portal:checkin", args=[soon_a.pk]), {"pain": "6", "stress": "4", "note": "Stiff"}
    )
    assert response.status_code == 302
    assert _before(soon_a, "pain") == Decimal(6)
    assert _before(soon_a, "stress") == Decimal(4)
    record = SessionRecord.objects.get(session=soon_a)
    assert "Stiff" in record.subjective
    soon_a.refresh_from_db()
    assert soon_a.status == "checked_in"


def test_the_client_may_correct_their_own_check_in(as_client_a, agreed_a, soon_a):
    url = reverse("portal:checkin", args=[soon_a.pk])
    as_client_a.post(url, {"pain": "6", "stress": "4"})
    as_client_a.post(url, {"pain": "5", "stress": "4"})
    assert _before(soon_a, "pain") == Decimal(5)
    assert CheckIn.objects.get().pain == 5


def test_a_value_the_therapist_entered_is_kept_and_the_client_is_told(
    as_client_a, agreed_a, soon_a
):
    record = SessionRecord.objects.create(session=soon_a)
    Measurement.objects.create(
        record=record, measure=MeasureDefinition.objects.get(code="pain"), moment="before", value=7
    )
    response = as_client_a.post(
        reverse("portal:checkin", args=[soon_a.pk]), {"pain": "3", "stress": "2"}, follow=True
    )
    assert b"already noted Pain" in response.content
    assert _before(soon_a, "pain") == Decimal(7)
    assert _before(soon_a, "stress") == Decimal(2)
    record.refresh_from_db()
    assert record.version == 2  # an open record form will see a conflict, not overwrite


def test_out_of_range_values_get_a_message_and_change_nothing(as_client_a, agreed_a, soon_a):
    response = as_client_a.post(
        reverse("portal:checkin", args=[soon_a.pk]), {"pain": "11", "stress": "-1"}
    )
    assert response.status_code == 200
    assert response.content.count(b"Please tap a number from 0 to 10.") == 2
    assert not CheckIn.objects.exists()
    assert not SessionRecord.objects.exists()


def test_check_in_is_refused_outside_the_window(as_client_a, agreed_a, later_a, soon_a):
    response = as_client_a.post(
        reverse("portal:checkin", args=[later_a.pk]), {"pain": "3", "stress": "2"}
    )
    assert b"Check-in is open from 24 hours" in response.content
    with time_machine.travel(soon_a.ends_at + timedelta(minutes=1)):
        response = as_client_a.post(
            reverse("portal:checkin", args=[soon_a.pk]), {"pain": "3", "stress": "2"}
        )
    assert b"Check-in is open from 24 hours" in response.content
    assert not CheckIn.objects.exists()


def test_another_clients_session_is_404(as_client_a, agreed_a, later_b):
    url = reverse("portal:checkin", args=[later_b.pk])
    assert as_client_a.get(url).status_code == 404
    assert as_client_a.post(url, {"pain": "3", "stress": "2"}).status_code == 404
    assert not CheckIn.objects.exists()
