"""Client list with search, client page, client form."""

from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backcourse.audit.models import AccessEvent
from backcourse.clients.models import Client
from backcourse.measures.models import MeasureDefinition
from backcourse.records.models import Measurement, SessionRecord
from tests import factories as f

pytestmark = pytest.mark.django_db

LIST = reverse("clients:list")
NEW = reverse("clients:create")


def test_list_shows_practice_clients_only(as_therapist_a, client_a, client_b):
    html = as_therapist_a.get(LIST).content.decode()
    assert "Adler, Clara" in html
    assert "Brandt" not in html


def test_list_is_sorted_by_last_name(as_therapist_a, practice_a):
    for last in ("Zeller", "Adam", "Müller"):
        f.ClientFactory(practice=practice_a, last_name=last)
    html = as_therapist_a.get(LIST).content.decode()
    assert html.index("Adam,") < html.index("Müller,") < html.index("Zeller,")


@pytest.mark.parametrize("q", ["adl", "clara adler", "CLARA", "+49 30"])
def test_search_finds_client(as_therapist_a, client_a, practice_a, q):
    f.ClientFactory(practice=practice_a, first_name="Dora", last_name="Zimmer", phone="")
    html = as_therapist_a.get(LIST, {"q": q}).content.decode()
    assert "Adler, Clara" in html
    assert "Zimmer" not in html


def test_search_does_not_reach_another_practice(as_therapist_a, client_a, client_b):
    html = as_therapist_a.get(LIST, {"q": "Boris"}).content.decode()
    assert "Brandt" not in html
    assert "No client matches" in html


def test_client_page_shows_contact_courses_and_history(as_therapist_a, client_a, course_a):
    session = f.SessionFactory(course=course_a, starts_at=datetime(2026, 11, 2, 9, tzinfo=UTC))
    record = SessionRecord.objects.create(session=session)
    pain = MeasureDefinition.objects.get(code="pain")
    Measurement.objects.create(record=record, measure=pain, moment="before", value=Decimal("7"))
    Measurement.objects.create(record=record, measure=pain, moment="after", value=Decimal("4"))
    r = as_therapist_a.get(reverse("clients:detail", args=[client_a.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    assert client_a.email in html
    assert "Chronic low back pain" in html
    assert "7 → 4" in html
    assert "Edit record" in html
    assert reverse("courses:create") + f"?client={client_a.pk}" in html


def test_client_page_is_audited(as_therapist_a, therapist_a, client_a):
    as_therapist_a.get(reverse("clients:detail", args=[client_a.pk]))
    event = AccessEvent.objects.get()
    assert event.client == client_a
    assert event.user == therapist_a.user
    assert event.what == "client page"


def test_create_client(as_therapist_a, practice_a):
    r = as_therapist_a.post(
        NEW, {"first_name": "Nina", "last_name": "Neu", "email": "nina@example.org"}
    )
    client = Client.objects.get(last_name="Neu")
    assert r.status_code == 302
    assert r["Location"] == reverse("clients:detail", args=[client.pk])
    assert client.practice == practice_a


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"first_name": "", "last_name": "Neu"}, "first_name", "required"),
        ({"first_name": "   ", "last_name": "Neu"}, "first_name", "required"),
        (
            {"first_name": "Nina", "last_name": "Neu", "email": "not-an-email"},
            "email",
            "valid email",
        ),
        (
            {"first_name": "Nina", "last_name": "Neu", "date_of_birth": "2100-01-01"},
            "date_of_birth",
            "future",
        ),
        (
            {"first_name": "Nina", "last_name": "Neu", "date_of_birth": "31.31.1990"},
            "date_of_birth",
            "valid date",
        ),
    ],
)
def test_create_client_rejects_bad_input(as_therapist_a, data, field, message):
    r = as_therapist_a.post(NEW, data)
    assert r.status_code == 400
    assert message in " ".join(r.context["form"].errors[field])
    assert Client.objects.count() == 0
    html = r.content.decode()
    assert 'value="Neu"' in html  # what was typed is kept
    assert 'class="errorlist"' in html


def test_edit_client(as_therapist_a, client_a):
    url = reverse("clients:edit", args=[client_a.pk])
    assert as_therapist_a.get(url).status_code == 200
    r = as_therapist_a.post(
        url, {"first_name": "Clara", "last_name": "Adler-Berg", "phone": "030 1234567"}
    )
    assert r.status_code == 302
    client_a.refresh_from_db()
    # The number is stored one way (E.164), read in PHONE_REGION (DE) when national.
    assert client_a.last_name == "Adler-Berg" and client_a.phone == "+49301234567"


def test_a_phone_number_that_cannot_be_is_refused(as_therapist_a, client_a):
    url = reverse("clients:edit", args=[client_a.pk])
    before = client_a.phone
    r = as_therapist_a.post(url, {"first_name": "Clara", "last_name": "Adler", "phone": "+49 1"})
    assert r.status_code == 400
    assert "This phone number is not valid." in r.content.decode()
    assert 'value="+49 1"' in r.content.decode()  # what was typed is kept
    client_a.refresh_from_db()
    assert client_a.phone == before


def test_edit_client_with_error_saves_nothing(as_therapist_a, client_a):
    url = reverse("clients:edit", args=[client_a.pk])
    r = as_therapist_a.post(url, {"first_name": "Clarissa", "last_name": "", "email": "x"})
    assert r.status_code == 400
    client_a.refresh_from_db()
    assert client_a.first_name == "Clara" and client_a.last_name == "Adler"
    assert 'value="Clarissa"' in r.content.decode()


def test_client_page_query_count_does_not_grow_with_sessions(as_therapist_a, client_a, course_a):
    def queries_with(n_sessions):
        while course_a.sessions.count() < n_sessions:
            week = course_a.sessions.count()
            s = f.SessionFactory(
                course=course_a, starts_at=datetime(2026, 1, 5 + week, 9, tzinfo=UTC)
            )
            SessionRecord.objects.create(session=s)
        with CaptureQueriesContext(connection) as ctx:
            assert (
                as_therapist_a.get(reverse("clients:detail", args=[client_a.pk])).status_code == 200
            )
        return len(ctx.captured_queries)

    few = queries_with(3)
    assert queries_with(12) == few
    assert few <= 25


def test_client_page_shows_screening_flags_in_heading_and_intake_not_to_front_desk(
    client, as_therapist_a, client_a, front_desk_a
):
    from backcourse.clients.screening import screening_questions_default
    from backcourse.portal.services import intake_submit
    from tests.conftest import _logged_in

    screening_questions_default(client_a.practice)
    questions = list(client_a.practice.screening_questions.all())
    intake_submit(
        client=client_a,
        complaint="Neck",
        regions=[],
        history="",
        medication="",
        answers={q.pk: q.code == "fever" for q in questions},
    )
    url = reverse("clients:detail", args=[client_a.pk])
    html = as_therapist_a.get(url).content.decode()
    # the badge beside the name and in the intake card, and the question in the card
    assert html.count("Red flag (1)") == 2
    assert "Do you have a fever" in html
    as_desk = _logged_in(client, front_desk_a)
    html = as_desk.get(url).content.decode()
    assert "Red flag" not in html and "Do you have a fever" not in html


@pytest.mark.parametrize("page", ["9223372036854775808", "100001", "-3", "x"])
def test_an_absurd_page_number_shows_a_page_not_an_error(as_therapist_a, client_a, page):
    response = as_therapist_a.get(LIST, {"page": page})
    assert response.status_code == 200
    assert "Adler" in response.content.decode()


def test_client_page_upcoming_shows_each_sessions_therapist_and_room(
    as_therapist_a, practice_a, client_a, course_a
):
    # The sessions are read without their therapists and rooms: those of the upcoming
    # sessions are attached (the course's and the signed-in therapist without a query).
    colleague = f.StaffFactory(practice=practice_a, display_name="Carl Colleague")
    room = f.RoomFactory(practice=practice_a, name="Room Lindenblüte")
    f.SessionFactory(
        course=None,
        client=client_a,
        practice=practice_a,
        therapist=colleague,
        room=room,
        starts_at=datetime(2099, 5, 4, 9, tzinfo=UTC),
    )
    f.SessionFactory(course=course_a, starts_at=datetime(2099, 5, 5, 9, tzinfo=UTC))
    done = f.SessionFactory(course=course_a, starts_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    done.status = "completed"
    done.save()
    html = as_therapist_a.get(reverse("clients:detail", args=[client_a.pk])).content.decode()
    upcoming = html[html.index("<h2>Upcoming</h2>") : html.index("</ul>")]
    assert "Carl Colleague · Room Lindenblüte" in upcoming
    assert "Anna Berg" in upcoming
    assert "1 of " in html or "1 session done" in html  # the course's held sessions


# The history's rows as the template wrote them before they were written in Python
# (clients.views._history_rows): the page must show the same bytes.
HISTORY_ROWS_TEMPLATE = """{% load i18n %}{% for s in history %}
      <tr class="status-{{ s.status }}">
        <td class="nowrap"><strong>{{ s.local|date }}</strong> <span class="muted">{{ s.local|time }}</span></td>
        <td>{% if s.course %}{% if clinical %}<a href="{{ s.course_url }}">{{ s.course.complaint }}</a>{% else %}{% translate "Course" %}{% endif %}{% if s.number %} <span class="muted">#{{ s.number }}</span>{% endif %}{% else %}<span class="muted">—</span>{% endif %}</td>
        <td><span class="badge badge-{{ s.status }}">{{ s.get_status_display }}</span></td>
        {% if clinical %}<td class="num">{% if s.pain_before is not None or s.pain_after is not None %}{{ s.pain_before|floatformat|default:"–" }} → {{ s.pain_after|floatformat|default:"–" }}{% else %}<span class="muted">—</span>{% endif %}</td>
        <td>{% if s.record_open %}<a href="{{ s.record_url }}">{% if s.has_record %}{% translate "Edit record" %}{% else %}{% translate "Record" %}{% endif %}</a>{% endif %}</td>{% endif %}
      </tr>
    {% endfor %}"""  # noqa: E501


@time_machine.travel(datetime(2026, 6, 1, 12, tzinfo=UTC), tick=False)
@pytest.mark.parametrize("language", ["en", "de", "lt"])
@pytest.mark.parametrize("who", ["therapist", "front desk"])
def test_client_page_history_rows_are_the_templates_and_escaped(
    client, therapist_a, front_desk_a, practice_a, client_a, course_a, language, who
):
    from django.template import Context, Template
    from django.utils import timezone, translation

    practice_a.language = language
    practice_a.save()
    course_a.complaint = "<script>alert('x')</script> & pain"
    course_a.save()
    pain = MeasureDefinition.objects.get(code="pain")
    statuses = ["completed", "completed", "cancelled", "no_show", "booked", "completed"]
    for i, status in enumerate(statuses):
        starts = datetime(2026, 3, 2, 8, 30, tzinfo=UTC) + timedelta(days=7 * i)
        s = f.SessionFactory(course=course_a, starts_at=starts)
        s.status = status
        s.save()
        if i in (0, 5):
            record = SessionRecord.objects.create(session=s)
            Measurement.objects.create(
                record=record, measure=pain, moment="before", value=Decimal("7.5")
            )
            if i == 0:
                Measurement.objects.create(
                    record=record, measure=pain, moment="after", value=Decimal("4")
                )
    f.SessionFactory(
        course=None,
        client=client_a,
        practice=practice_a,
        therapist=therapist_a,
        starts_at=datetime(2026, 5, 1, 14, tzinfo=UTC),
    )
    client.force_login(therapist_a.user if who == "therapist" else front_desk_a.user)
    r = client.get(reverse("clients:detail", args=[client_a.pk]))
    assert r.status_code == 200
    html = r.content.decode()
    with timezone.override(practice_a.zone), translation.override(language):
        expected = Template(HISTORY_ROWS_TEMPLATE).render(
            Context({"history": r.context["history"], "clinical": r.context["clinical"]})
        )
    assert len(r.context["history"]) == 7
    assert r.context["clinical"] is (who == "therapist")
    assert expected in html
    assert "<script>alert" not in html
    if who == "therapist":
        assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; pain</a>" in html
