import pytest

from tests import factories as f
from tests.security.world import world_build


@pytest.fixture
def world_a(db):
    return world_build(f.PracticeFactory(name="Alpha Studio", slug="alpha"), "Alpha")


@pytest.fixture
def world_b(db):
    return world_build(f.PracticeFactory(name="Zebra Studio", slug="zebra"), "Zebra")
