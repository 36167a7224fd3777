import pytest

from tests import factories as f
from tests.security.world import world_build


@pytest.fixture
def world_a(db):
    return world_build(f.PracticeFactory(name="Alpha Studio", slug="alpha"), "Alpha")


@pytest.fixture
def world_b(db):
    return world_build(f.PracticeFactory(name="Zebra Studio", slug="zebra"), "Zebra")


@pytest.fixture
def token_a(therapist_a):
    from backcourse.api.services import api_token_create

    _, token = api_token_create(staff=therapist_a, name="Test integration")
    return token


@pytest.fixture
def api_a(client, token_a):
    """A test client that sends therapist_a's API token."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_a}"
    return client
