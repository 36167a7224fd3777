"""Dates, times and numbers as people read them, in every language a practice can choose:
Django's formats of the active language (backcourse/formats), ISO values in date inputs,
and the client's PDF export in words, local time, with the zone named."""

import subprocess
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format

from backcourse.formats import format_day_time, format_local
from backcourse.portal.export import client_data_export, client_data_readable
from backcourse.scheduling.models import Session
from tests import factories as f

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate("en")


@pytest.mark.parametrize(
    ("language", "long", "short", "birthday"),
    [
        ("en", "1 December 2026", "01/12/2026", "01/10/1981"),
        ("en-us", "December 1, 2026", "12/01/2026", "10/01/1981"),
        ("de", "1. Dezember 2026", "01.12.2026", "01.10.1981"),
        ("lt", "2026 m. gruodžio 1 d.", "2026-12-01", "1981-10-01"),
    ],
)
def test_dates_follow_the_language(language, long, short, birthday):
    with translation.override(language):
        assert format_local(date(2026, 12, 1)) == long
        assert format_local(date(2026, 12, 1), "SHORT_DATE_FORMAT") == short
        assert format_local(date(1981, 10, 1), "SHORT_DATE_FORMAT") == birthday


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Sunday 29 March 2026, 10:00"),
        ("en-us", "Sunday, March 29, 2026, 10:00 AM"),
        ("de", "Sonntag, 29. März 2026, 10:00"),
        ("lt", "Sekmadienis, 2026 m. kovo 29 d., 10:00"),
    ],
)
def test_a_day_with_its_weekday_and_time_on_the_spring_dst_day(language, expected):
    # 29 March 2026: Berlin's clocks go from 02:00 to 03:00; 10:00 local is 08:00 UTC.
    with translation.override(language), timezone.override(BERLIN):
        at = timezone.localtime(datetime(2026, 3, 29, 8, tzinfo=UTC))
        assert format_day_time(at) == expected


@pytest.mark.parametrize(
    ("language", "expected"),
    [("en", "1,234.5"), ("en-us", "1,234.5"), ("de", "1.234,5"), ("lt", "1.234,5")],
)
def test_numbers_follow_the_language(language, expected):
    with translation.override(language):
        assert number_format(1234.5, 1, force_grouping=True) == expected


@pytest.mark.parametrize(
    ("language", "heading", "times"),
    [
        ("en", "25 October 2026", ["01:30", "02:30", "10:00"]),
        ("en-us", "October 25, 2026", ["1:30 AM", "2:30 AM", "10:00 AM"]),
        ("de", "25. Oktober 2026", ["01:30", "02:30", "10:00"]),
        ("lt", "2026 m. spalio 25 d.", ["01:30", "02:30", "10:00"]),
    ],
)
def test_the_day_view_on_the_autumn_dst_day(
    language, heading, times, practice_a, therapist_a, as_therapist_a, course_a
):
    """25 October 2026: Berlin's clocks go back from 03:00 to 02:00 — the day has 25 hours;
    each session shows at its own local time, in the language's formats."""
    practice_a.language = language
    practice_a.save(update_fields=["language"])
    for hour_utc in (23, 0, 9):  # 01:30 CEST (+2), 02:30 CET (+1), 10:00 CET
        day = 24 if hour_utc == 23 else 25
        f.SessionFactory(
            course=course_a,
            starts_at=datetime(2026, 10, day, hour_utc, 30 if hour_utc != 9 else 0, tzinfo=UTC),
        )
    with time_machine.travel(datetime(2026, 10, 20, 12, tzinfo=UTC), tick=False):
        html = as_therapist_a.get(reverse("scheduling:day") + "?date=2026-10-25").text
    assert heading in html
    positions = [html.index(f"<strong>{t}</strong>") for t in times]
    assert positions == sorted(positions)


@pytest.mark.parametrize("language", ["en", "en-us", "de", "lt"])
def test_date_inputs_carry_iso_values_in_every_language(
    language, practice_a, as_therapist_a, client_a
):
    """<input type="date"> takes only YYYY-MM-DD; the browser shows it in its own locale."""
    practice_a.language = language
    practice_a.save(update_fields=["language"])
    client_a.date_of_birth = date(1981, 10, 1)
    client_a.save(update_fields=["date_of_birth"])
    html = as_therapist_a.get(reverse("clients:edit", args=[client_a.pk])).text
    assert 'type="date" name="date_of_birth" value="1981-10-01"' in html
    html = as_therapist_a.get(reverse("scheduling:session_create") + "?date=2026-12-07").text
    assert 'type="date" name="date" value="2026-12-07"' in html


@pytest.mark.parametrize("language", ["de", "lt"])
def test_a_date_sent_as_iso_is_understood_in_every_language(
    language, practice_a, as_therapist_a, client_a
):
    practice_a.language = language
    practice_a.save(update_fields=["language"])
    data = {"first_name": "Clara", "last_name": "Adler", "date_of_birth": "1981-10-01"}
    response = as_therapist_a.post(reverse("clients:edit", args=[client_a.pk]), data)
    assert response.status_code == 302
    client_a.refresh_from_db()
    assert client_a.date_of_birth == date(1981, 10, 1)


@pytest.mark.parametrize(
    ("language", "start", "status", "zone_words"),
    [
        ("en", "Sunday 29 March 2026, 10:00", "No-show", "times in Europe/Berlin"),
        ("de", "Sonntag, 29. März 2026, 10:00", "Nicht erschienen", "Europe/Berlin"),
        ("lt", "Sekmadienis, 2026 m. kovo 29 d., 10:00", "Neatvyko", "Europe/Berlin"),
    ],
)
def test_the_pdf_export_shows_local_times_and_words(
    language, start, status, zone_words, practice_a, client_a, course_a
):
    practice_a.language = language
    practice_a.save(update_fields=["language"])
    f.SessionFactory(
        course=course_a,
        starts_at=datetime(2026, 3, 29, 8, tzinfo=UTC),
        status=Session.Status.NO_SHOW,
    )
    data = client_data_export(client_a)
    assert data["time_zone"] == "Europe/Berlin"
    assert data["sessions"][0]["starts_at"] == "2026-03-29T10:00:00+02:00"
    assert data["sessions"][0]["status"] == "no_show"  # the JSON keeps the code for programs
    with translation.override(language), timezone.override(BERLIN):
        readable = client_data_readable(client_data_export(client_a))
    assert readable["sessions"][0]["starts_at"] == start
    assert readable["sessions"][0]["status"] == status

    from backcourse.portal.export import client_data_pdf

    pdf = client_data_pdf(client_a, base_url="http://testserver/")
    text = subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()
    text = " ".join(text.split())
    assert start in text and status in text and zone_words in text
    assert "no_show" not in text and "08:00" not in text


@pytest.mark.parametrize(
    ("language", "monday", "friday"), [("en", "Mon", "Fri"), ("de", "Mo", "Fr"), ("lt", "Pr", "Pn")]
)
def test_short_weekdays_tell_every_day_apart(language, monday, friday):
    from backcourse.formats import weekday_short

    with translation.override(language):
        week = [
            weekday_short(date(2026, 11, 30 + i) if i < 1 else date(2026, 12, i)) for i in range(7)
        ]
    assert week[0] == monday and week[4] == friday
    assert len(set(week)) == 7
