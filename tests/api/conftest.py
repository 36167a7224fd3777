import pytest

from backcourse.api.services import api_token_create


@pytest.fixture
def token_a(therapist_a):
    _, token = api_token_create(staff=therapist_a, name="Test integration")
    return token


@pytest.fixture
def api_a(client, token_a):
    """A test client that sends therapist_a's API token."""
    client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token_a}"
    return client
