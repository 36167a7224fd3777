"""Password spraying: one address trying many usernames is locked out too, while an
office sharing an address is not locked out by a few typos of different people."""

from django.urls import reverse

from tests import factories as f
from tests.factories import PASSWORD


def _fail(client, username, ip):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": "wrong"}, REMOTE_ADDR=ip
    )


def test_many_usernames_from_one_address_are_throttled(client, therapist_a, settings):
    for n in range(settings.AXES_IP_FAILURE_LIMIT):
        _fail(client, f"guess{n}", "203.0.113.9")
    # A real user's right password from that address is refused for now …
    response = client.post(
        reverse("accounts:login"),
        {"username": "anna", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.9",
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    # … while the same login from another address works.
    response = client.post(
        reverse("accounts:login"),
        {"username": "anna", "password": PASSWORD},
        REMOTE_ADDR="198.51.100.7",
    )
    assert response.status_code == 302


def test_a_few_typos_of_different_people_in_one_office_lock_nobody_out(
    client, practice_a, settings
):
    people = [f.StaffFactory(practice=practice_a).user for _ in range(4)]
    for user in people:
        for _ in range(settings.AXES_FAILURE_LIMIT - 1):
            _fail(client, user.username, "192.0.2.10")
    response = client.post(
        reverse("accounts:login"),
        {"username": people[0].username, "password": PASSWORD},
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 302
