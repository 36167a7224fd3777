"""No page does work that grows with the practice (issue 15).

Each page is fetched in a small practice, then the practice grows (more clients, courses,
sessions, records and measurements for the same therapists) and the page is fetched
again: the number of database queries must be the same. Query counts, not times: times
are measured by scripts/bench_pages.py at 50,000 clients and 1,000,000 sessions.
"""

from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from backcourse.measures.models import MeasureDefinition
from backcourse.records.models import Measurement, SessionRecord
from backcourse.scheduling import views as scheduling_views
from backcourse.scheduling.models import Session, SessionType, WorkingHours
from tests import factories as f

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 11, 4, 12, tzinfo=UTC)  # a Wednesday
MONDAY = datetime(2026, 11, 2, tzinfo=UTC)


@pytest.fixture
def practice(time_machine, practice_a, therapist_a, client_a, course_a):
    time_machine.move_to(NOW, tick=False)
    colleague = f.StaffFactory(practice=practice_a, display_name="Carl Colleague")
    kind = SessionType.objects.create(practice=practice_a, name="Massage", duration_minutes=60)
    for staff in (therapist_a, colleague):
        for weekday in range(5):
            WorkingHours.objects.create(
                therapist=staff, weekday=weekday, start_time=time(8), end_time=time(20)
            )
    client_a.user = f.UserFactory()
    client_a.save(update_fields=["user"])
    _course_sessions(course_a, hour=8)
    other = f.ClientFactory(practice=practice_a, first_name="Olga", last_name="Other")
    _course_sessions(f.CourseFactory(client=other, therapist=colleague), hour=8)
    return {
        "practice": practice_a,
        "therapists": [therapist_a, colleague],
        "kind": kind,
        "client": client_a,
        "course": course_a,
    }


def _course_sessions(course, *, hour: int, weeks: int = 4) -> None:
    """A weekly course: sessions on Mondays from three weeks ago, the last one next week;
    the held ones with pain and stress before and after."""
    measures = list(MeasureDefinition.objects.filter(code__in=["pain", "stress"]))
    for week in range(-2, weeks - 2):
        starts_at = MONDAY + timedelta(weeks=week, hours=hour)
        held = starts_at < NOW
        session = f.SessionFactory(
            course=course,
            starts_at=starts_at,
            status=Session.Status.COMPLETED if held else Session.Status.BOOKED,
        )
        if held:
            record = SessionRecord.objects.create(session=session)
            Measurement.objects.bulk_create(
                Measurement(record=record, measure=m, moment=moment, value=Decimal(v))
                for m in measures
                for moment, v in (("before", 6), ("after", 3))
            )


def _grow(practice, *, clients: int) -> None:
    """More clients, each with a course of weekly sessions, for the same therapists."""
    therapists = practice["therapists"]
    for i in range(clients):
        client = f.ClientFactory(practice=practice["practice"], last_name=f"Grown{i:03d}")
        course = f.CourseFactory(client=client, therapist=therapists[i % len(therapists)])
        _course_sessions(course, hour=9 + i // len(therapists))


def _pages(practice) -> list[tuple[str, str]]:
    p, kind = practice["practice"], practice["kind"]
    therapist, course = practice["therapists"][0], practice["course"]
    return [
        ("staff", "/clients/"),
        ("staff", "/today/?date=2026-11-02&therapist=all"),
        ("staff", "/today/?date=2026-11-02"),
        (
            "staff",
            f"/today/?date=2026-11-02&therapist={practice['therapists'][1].pk}&part=sessions",
        ),
        ("staff", "/week/?start=2026-11-02"),
        ("staff", "/week/?start=2026-11-02&therapist=all"),
        ("staff", "/api/v1/sessions?from=2026-11-02&to=2026-11-08"),
        ("staff", "/api/v1/clients"),
        ("staff", f"/clients/{practice['client'].pk}/"),
        ("public", f"/book/{p.slug}/"),
        ("public", f"/book/{p.slug}/?type={kind.pk}&therapist={therapist.pk}"),
        ("public", f"/book/{p.slug}/?type={kind.pk}&therapist=any"),
        ("client", "/me/"),
        ("client", f"/me/courses/{course.pk}/"),
    ]


def _query_counts(practice, pages) -> dict[str, int]:
    from django.test import Client

    browsers = {"public": Client(), "staff": Client(), "client": Client()}
    browsers["staff"].force_login(practice["therapists"][0].user)
    browsers["client"].force_login(practice["client"].user)
    counts = {}
    for who, url in pages:
        browsers[who].get(url)  # fills per-process caches (content types, …) first
        with CaptureQueriesContext(connection) as captured:
            response = browsers[who].get(url)
        assert response.status_code == 200, url
        counts[url] = len(captured.captured_queries)
    return counts


def test_no_page_query_count_grows_with_clients_courses_and_sessions(practice):
    pages = _pages(practice)
    small = _query_counts(practice, pages)
    sessions_before = Session.objects.count()
    _grow(practice, clients=12)
    assert Session.objects.count() == sessions_before + 12 * 4
    large = _query_counts(practice, pages)
    grown = {url: (small[url], large[url]) for url in small if small[url] != large[url]}
    assert grown == {}, f"query counts grew with the practice (small, large): {grown}"


def test_client_list_shows_courses_and_next_session_of_the_page_only(practice, as_therapist_a):
    _grow(practice, clients=3)
    html = as_therapist_a.get("/clients/").content.decode()
    # Every listed client has one active course and a session next Monday.
    assert html.count("1 active course") == 5
    assert html.count("next Mon 9 Nov") == 5


def test_all_therapists_day_loads_further_sections_when_opened(
    practice, as_therapist_a, monkeypatch
):
    """Past INLINE_SESSIONS cards, the other therapists' sections hold only a count and
    load their sessions when opened."""
    _grow(practice, clients=4)  # two more clients for each therapist
    monkeypatch.setattr(scheduling_views, "INLINE_SESSIONS", 3)
    # One of Carl's sessions that day is still open, so its card has status buttons.
    Session.objects.filter(
        client__last_name="Grown001", starts_at__lt=MONDAY + timedelta(days=1)
    ).update(status=Session.Status.BOOKED)
    colleague = practice["therapists"][1]
    html = as_therapist_a.get("/today/", {"date": "2026-11-02", "therapist": "all"}).content
    html = html.decode()
    assert "6 sessions" in html  # the heading counts every therapist's sessions
    assert "Clara Adler" in html  # Anna's section is open with its cards
    assert "Grown001" not in html  # Carl's is not loaded yet
    part = f"/today/?date=2026-11-02&amp;therapist={colleague.pk}&amp;part=sessions"
    assert f'data-src="{part}"' in html
    assert "3 sessions" in html  # …but says how many it holds
    fragment = as_therapist_a.get(
        "/today/", {"date": "2026-11-02", "therapist": colleague.pk, "part": "sessions"}
    ).content.decode()
    assert "Grown001" in fragment and "Olga Other" in fragment and "Clara Adler" not in fragment
    assert "<html" not in fragment
    # A status button in a loaded section brings the user back to the all-therapists day.
    assert 'name="next" value="/today/?date=2026-11-02&amp;therapist=all"' in fragment


def test_day_section_of_another_practice_is_not_shown(practice, as_therapist_b):
    anna = practice["therapists"][0]
    r = as_therapist_b.get(
        "/today/", {"date": "2026-11-02", "therapist": anna.pk, "part": "sessions"}
    )
    assert "Clara Adler" not in r.content.decode()


def test_client_list_counts_only_a_window_past_the_page(practice, as_therapist_a, monkeypatch):
    """The list does not count the whole practice: past a window it says "more than"."""
    from backcourse.clients import paging
    from backcourse.clients.models import Client as ClientRow

    monkeypatch.setattr(paging, "WINDOW_PAGES", 1)
    ClientRow.objects.bulk_create(
        ClientRow(practice=practice["practice"], first_name="Bulk", last_name=f"Z{i:03d}")
        for i in range(158)
    )  # 160 clients: four pages of 50
    html = as_therapist_a.get("/clients/").content.decode()
    assert "Page 1 of more than 2" in html and "?q=&page=2" in html
    html = as_therapist_a.get("/clients/", {"page": 3}).content.decode()
    assert "Page 3 of 4" in html and "Z157" not in html
    html = as_therapist_a.get("/clients/", {"page": 4}).content.decode()
    assert "Z157" in html and "Next" not in html
    html = as_therapist_a.get("/clients/", {"q": "Bulk"}).content.decode()
    assert "More than 100 clients match" in html


def test_busy_all_therapists_week_shows_counts_per_therapist_and_day(
    practice, as_therapist_a, monkeypatch
):
    monkeypatch.setattr(scheduling_views, "WEEK_INLINE_SESSIONS", 1)
    _grow(practice, clients=2)  # one more client for each therapist
    html = as_therapist_a.get("/week/", {"start": "2026-11-02", "therapist": "all"}).content
    html = html.decode()
    anna, carl = practice["therapists"]
    assert "Clara Adler" not in html  # no single sessions, but per therapist and day…
    assert f'href="/today/?date=2026-11-02&amp;therapist={anna.pk}"' in html
    assert f'href="/today/?date=2026-11-02&amp;therapist={carl.pk}"' in html
    assert html.count("2 sessions") == 2  # …how many each has on Monday
    monkeypatch.setattr(scheduling_views, "WEEK_INLINE_SESSIONS", 80)
    html = as_therapist_a.get("/week/", {"start": "2026-11-02", "therapist": "all"}).content
    assert "Clara Adler" in html.decode()  # a quiet week shows every session


def test_busy_all_therapists_week_escapes_the_names_it_writes(
    practice, as_therapist_a, monkeypatch
):
    """The count rows are written in Python, not by the template: names are escaped."""
    monkeypatch.setattr(scheduling_views, "WEEK_INLINE_SESSIONS", 1)
    carl = practice["therapists"][1]
    carl.display_name = '<b>Carl</b> & "Co"'
    carl.save(update_fields=["display_name"])
    html = as_therapist_a.get("/week/", {"start": "2026-11-02", "therapist": "all"}).content
    html = html.decode()
    assert "<b>Carl" not in html
    row = (
        f'<div class="week-session"><a href="/today/?date=2026-11-02&amp;therapist={carl.pk}">'
        "&lt;b&gt;Carl&lt;/b&gt; &amp; &quot;Co&quot;</a> "
        '<span class="small muted">1 session</span></div>'
    )
    assert row in html


def test_closed_day_sections_escape_the_names_they_write(practice, as_therapist_a, monkeypatch):
    """Sections not loaded yet are written in Python, not by the template: escaped."""
    monkeypatch.setattr(scheduling_views, "INLINE_SESSIONS", 1)
    carl = practice["therapists"][1]
    carl.display_name = 'Zed <b>Carl</b> & "Co"'  # last in the order: a closed section
    carl.save(update_fields=["display_name"])
    html = as_therapist_a.get("/today/", {"date": "2026-11-02", "therapist": "all"}).content
    html = html.decode()
    assert "<b>Carl" not in html
    assert "Clara Adler" in html  # Anna's section is the open one
    day = f"/today/?date=2026-11-02&amp;therapist={carl.pk}"
    assert f'<details class="therapist-day card" data-src="{day}&amp;part=sessions">' in html
    name = "Zed &lt;b&gt;Carl&lt;/b&gt; &amp; &quot;Co&quot;"
    assert f"<summary><strong>{name}</strong>" in html
    assert f'<a href="{day}">Open the day of {name}</a>' in html
