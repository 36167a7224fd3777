import pytest

from tests import factories as f


@pytest.fixture
def owner_a(practice_a):
    return f.StaffFactory(
        practice=practice_a, user__username="olga", display_name="Olga Owner", role="owner"
    )


@pytest.fixture
def as_owner_a(client, owner_a):
    client.force_login(owner_a.user)
    return client
