"""Named people and places, so privacy tests are one line each.

practice_a has therapist_a, front_desk_a and client_a (with course_a and session_a);
other_practice has therapist_b and client_b. `as_therapist_a` is a logged-in test client.
"""

import os
import shutil

import pytest

from tests import factories as f


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing():
    """Tests create many users; the production hasher is deliberately slow."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True, scope="session")
def _logins_outlast_travelled_time():
    """Many tests log in and then move the clock days ahead (time_machine); a login
    lasts 8 hours in the real settings (tests/security/test_deployment.py checks that),
    so tests keep it for two weeks."""
    from django.conf import settings

    settings.SESSION_COOKIE_AGE = 14 * 24 * 60 * 60


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache (the course-effect panels are kept there),
    as a new server process does: a test's result never comes from an earlier test."""
    from django.core.cache import cache

    from backcourse.practices.reference import reference_forget_all

    cache.clear()
    reference_forget_all()  # and so does the practices' reference data kept in memory


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request through the practice's
    middleware leaves the practice's language (de, lt) active in the thread, and a test
    that renders without a request would otherwise read the previous test's language."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _vocabularies(request):
    """Shipped vocabularies are rows loaded by a migration; a transactional test flushes
    every table afterwards, so put them back for whichever test comes next."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    if marker is None and not names & {"db", "transactional_db", "live_server"}:
        return
    if marker is not None:
        request.getfixturevalue("_django_db_helper")
    else:
        transactional = names & {"transactional_db", "live_server"}
        request.getfixturevalue("transactional_db" if transactional else "db")
    from backcourse.measures.models import MuscleRegion
    from backcourse.measures.vocabulary import vocabularies_load

    if not MuscleRegion.objects.exists():
        vocabularies_load()


@pytest.fixture
def practice_a(db):
    return f.PracticeFactory(name="Rückenwerk Berlin", slug="rueckenwerk")


@pytest.fixture
def other_practice(db):
    return f.PracticeFactory(name="Other Studio", slug="other")


@pytest.fixture
def therapist_a(practice_a):
    return f.StaffFactory(practice=practice_a, user__username="anna", display_name="Anna Berg")


@pytest.fixture
def front_desk_a(practice_a):
    return f.StaffFactory(
        practice=practice_a,
        user__username="desk",
        role="front_desk",
        takes_sessions=False,
    )


@pytest.fixture
def therapist_b(other_practice):
    return f.StaffFactory(practice=other_practice, user__username="bert")


@pytest.fixture
def client_a(practice_a):
    return f.ClientFactory(practice=practice_a, first_name="Clara", last_name="Adler")


@pytest.fixture
def client_b(other_practice):
    return f.ClientFactory(practice=other_practice, first_name="Boris", last_name="Brandt")


@pytest.fixture
def course_a(client_a, therapist_a):
    return f.CourseFactory(client=client_a, therapist=therapist_a)


@pytest.fixture
def course_b(client_b, therapist_b):
    return f.CourseFactory(client=client_b, therapist=therapist_b)


@pytest.fixture
def session_a(course_a):
    return f.SessionFactory(course=course_a)


@pytest.fixture
def session_b(course_b):
    return f.SessionFactory(course=course_b)


def _logged_in(client, staff):
    client.force_login(staff.user)
    return client


@pytest.fixture
def as_therapist_a(client, therapist_a):
    return _logged_in(client, therapist_a)


@pytest.fixture
def as_therapist_b(client, therapist_b):
    return _logged_in(client, therapist_b)


# --- Headless Chromium (Debian's package, driven by Playwright) --------------------

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session")
def chromium():
    if not shutil.which(CHROMIUM):
        if os.environ.get("BACKCOURSE_REQUIRE_BROWSER"):
            pytest.fail(f"{CHROMIUM} is missing (apt-get install chromium)")
        pytest.skip(f"browser tests need Debian's chromium at {CHROMIUM}")
    # Playwright's sync API runs an event loop in this thread; Django's ORM calls made
    # by the test itself are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1024, "height": 768})
    pg = context.new_page()
    pg.set_default_timeout(15_000)
    yield pg
    context.close()
