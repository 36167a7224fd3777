from django.urls import reverse
from django.utils import timezone

from backcourse.clients.consent import consent_missing
from backcourse.clients.models import ConsentRecord, ConsentText


def test_nothing_is_missing_when_the_practice_publishes_no_texts(client_a):
    assert consent_missing(client_a) == []


def test_both_kinds_are_missing_until_agreed(client_a, consents_a):
    assert consent_missing(client_a) == ["treatment", "health_data"]


def test_client_pages_block_until_the_client_agrees(as_client_a, consents_a, client_a):
    response = as_client_a.get(reverse("portal:home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("portal:consent"))
    page = as_client_a.get(response.url)
    assert b"GDPR art. 9" in page.content
    data = {f"text_{t.pk}": "on" for t in consents_a}
    data["next"] = reverse("portal:home")
    response = as_client_a.post(reverse("portal:consent"), data)
    assert response.status_code == 302
    assert consent_missing(client_a) == []
    record = ConsentRecord.objects.filter(client=client_a).first()
    assert record.via == "online"
    assert as_client_a.get(reverse("portal:home")).status_code == 200


def test_not_ticking_a_box_gets_a_message_and_records_nothing(as_client_a, consents_a, client_a):
    response = as_client_a.post(reverse("portal:consent"), {f"text_{consents_a[0].pk}": "on"})
    assert response.status_code == 200
    assert b"Please tick to agree" in response.content
    assert not ConsentRecord.objects.exists()


def test_a_newer_version_asks_again(as_client_a, agreed_a, client_a, practice_a):
    assert consent_missing(client_a) == []
    ConsentText.objects.create(
        practice=practice_a,
        kind="treatment",
        version=2,
        text="New text",
        published_at=timezone.now(),
    )
    assert consent_missing(client_a) == ["treatment"]
    response = as_client_a.get(reverse("portal:home"))
    assert response.url.startswith(reverse("portal:consent"))


def test_a_draft_version_does_not_ask(client_a, agreed_a, practice_a):
    ConsentText.objects.create(practice=practice_a, kind="treatment", version=2, text="Draft")
    assert consent_missing(client_a) == []


def test_a_tampered_text_id_changes_nothing(client_a, consents_a, other_practice):
    from backcourse.clients.consent import consent_texts_default
    from backcourse.portal.services import PortalError, consent_agree

    foreign = consent_texts_default(other_practice)
    try:
        consent_agree(client=client_a, text_ids=[foreign[0].pk])
    except PortalError as exc:
        assert "not the current ones" in str(exc)
    else:
        raise AssertionError("accepted a foreign text")
    assert not ConsentRecord.objects.exists()


def test_staff_record_paper_consent(as_therapist_a, client_a, consents_a):
    response = as_therapist_a.post(
        reverse("portal:staff_consent_paper", args=[client_a.pk]),
        {"kind": ["treatment", "health_data"]},
    )
    assert response.status_code == 302
    assert consent_missing(client_a) == []
    assert set(ConsentRecord.objects.values_list("via", flat=True)) == {"paper"}


def test_staff_of_another_practice_get_404_on_paper_consent(as_therapist_b, client_a, consents_a):
    response = as_therapist_b.post(
        reverse("portal:staff_consent_paper", args=[client_a.pk]), {"kind": ["treatment"]}
    )
    assert response.status_code == 404
    assert not ConsentRecord.objects.exists()


def test_staff_include_shows_missing_consent_and_records_paper(
    as_therapist_a, client_a, consents_a
):
    from django.template import Context, Template
    from django.test import RequestFactory

    request = RequestFactory().get("/clients/1/")
    html = Template('{% include "portal/_consent_status.html" with client=c %}').render(
        Context({"c": client_a, "request": request})
    )
    assert "No current consent for" in html and 'name="kind" value="treatment"' in html
