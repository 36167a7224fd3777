"""The practice prior and the course summaries are computed when a course completes (a
task) and stored; pages read them and do not grow with the practice."""

import pytest
import time_machine
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from backcourse.courses.services import course_update
from backcourse.outcomes.models import ComplaintOutcomeCount, CourseSummary, StoredPrior
from backcourse.outcomes.selectors import practice_prior
from tests import factories as f
from tests.outcomes.helpers import measured_course

pytestmark = pytest.mark.django_db

NOW = "2027-01-15 12:00:00+00:00"
IMPROVING = [(8, 5), (6, 4), (5, 3), (4, 3), (4, 2)]


def _finished_courses(practice, therapist, n, *, status="completed", complaint="Low back pain"):
    courses = []
    for _ in range(n):
        course = f.CourseFactory(
            client=f.ClientFactory(practice=practice),
            therapist=f.StaffFactory(practice=practice),
            status=status,
            complaint=complaint,
        )
        measured_course(course, IMPROVING)
        courses.append(course)
    return courses


def _run_worker():
    """Run the queued tasks as the worker would (its own `db_worker` closes the database
    connection, which a test transaction on PostgreSQL cannot survive)."""
    from backcourse.outcomes.tasks import course_outcomes_refresh

    for row in DBTaskResult.objects.ready().order_by("enqueued_at"):
        assert row.task_path.endswith("course_outcomes_refresh")
        course_outcomes_refresh.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.delete()


@time_machine.travel(NOW, tick=False)
def test_completing_a_course_stores_the_prior_and_its_summary_through_the_worker(
    practice_a, therapist_a, django_capture_on_commit_callbacks
):
    _finished_courses(practice_a, therapist_a, 5, status="active")
    last = _finished_courses(practice_a, therapist_a, 1, status="active")[0]
    with django_capture_on_commit_callbacks(execute=True):
        for course in practice_a.courses.all():
            course_update(course=course, data={"status": "completed"})
    assert DBTaskResult.objects.filter(task_path__endswith="course_outcomes_refresh").count() == 6
    assert not StoredPrior.objects.exists()  # nothing computed in the request

    _run_worker()

    prior = StoredPrior.objects.get(practice=practice_a, measure_code="pain")
    assert prior.n_courses == 6
    assert practice_prior(practice_a, "pain").source == "practice"
    summary = CourseSummary.objects.get(course=last)
    assert (summary.pain, summary.reached_session) == ("reached", 2)  # 8 -> 6: 2 points better
    cell = ComplaintOutcomeCount.objects.get(practice=practice_a, complaint_key="low back pain")
    assert (cell.pain, cell.reached_session, cell.courses) == ("reached", 2, 6)


@time_machine.travel(NOW, tick=False)
def test_a_queued_refresh_older_than_the_stored_prior_is_skipped(practice_a, therapist_a):
    from datetime import timedelta

    from django.utils import timezone

    from backcourse.outcomes.services import practice_priors_refresh

    _finished_courses(practice_a, therapist_a, 5)
    assert practice_priors_refresh(practice=practice_a) >= 1
    earlier = timezone.now() - timedelta(seconds=1)
    assert practice_priors_refresh(practice=practice_a, requested_at=earlier) == -1


@time_machine.travel(NOW, tick=False)
def test_reopening_a_course_removes_its_summary(
    practice_a, therapist_a, django_capture_on_commit_callbacks
):
    course = _finished_courses(practice_a, therapist_a, 1)[0]
    call_command("outcomes_refresh")
    assert CourseSummary.objects.filter(course=course).exists()

    with django_capture_on_commit_callbacks(execute=True):
        course_update(course=course, data={"status": "active"})
    _run_worker()

    assert not CourseSummary.objects.filter(course=course).exists()
    assert not ComplaintOutcomeCount.objects.filter(practice=practice_a).exists()


@time_machine.travel(NOW, tick=False)
def test_outcomes_refresh_command_covers_existing_practices(practice_a, therapist_a, capsys):
    _finished_courses(practice_a, therapist_a, 5)
    call_command("outcomes_refresh", "--practice", practice_a.slug)
    out = capsys.readouterr().out
    assert "5 completed courses summarised" in out
    assert StoredPrior.objects.filter(practice=practice_a, measure_code="pain").exists()


def _count_queries(client, url, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@time_machine.travel(NOW, tick=False)
def test_course_and_client_pages_do_not_grow_with_the_practice(
    client, practice_a, therapist_a, course_a, django_assert_max_num_queries
):
    client.force_login(therapist_a.user)  # under the frozen clock
    as_therapist_a = client
    measured_course(course_a, IMPROVING)
    pages = [
        reverse("courses:detail", args=[course_a.pk]),
        reverse("clients:detail", args=[course_a.client.pk]),
        reverse("outcomes:practice"),
    ]
    _finished_courses(practice_a, therapist_a, 5)
    call_command("outcomes_refresh")
    small = [_count_queries(as_therapist_a, u, django_assert_max_num_queries) for u in pages]
    _finished_courses(practice_a, therapist_a, 25, complaint="Neck tension")
    call_command("outcomes_refresh")
    large = [_count_queries(as_therapist_a, u, django_assert_max_num_queries) for u in pages]
    assert large == small


@time_machine.travel(NOW, tick=False)
def test_outcomes_page_lists_twenty_complaints_a_page(client, practice_a, therapist_a):
    client.force_login(therapist_a.user)
    as_therapist_a = client
    for i in range(23):
        _finished_courses(practice_a, therapist_a, 1, complaint=f"Complaint {i:02d}")
    call_command("outcomes_refresh")

    first = as_therapist_a.get(reverse("outcomes:practice"))
    second = as_therapist_a.get(reverse("outcomes:practice") + "?page=2")

    assert len(first.context["rows"]) == 20 and len(second.context["rows"]) == 3
    assert first.context["totals"]["courses"] == 23  # totals cover every page
    assert "Page 1 of 2" in first.content.decode()


def test_the_demo_leaves_a_stored_prior_and_course_summaries(db):
    from datetime import datetime
    from io import StringIO
    from zoneinfo import ZoneInfo

    from backcourse.courses.models import Course
    from backcourse.practices.models import Practice

    with time_machine.travel(datetime(2026, 11, 25, 10, 30, tzinfo=ZoneInfo("Europe/Berlin"))):
        call_command("seed_demo", stdout=StringIO())
    demo = Practice.objects.get(slug="demo")
    prior = StoredPrior.objects.get(practice=demo, measure_code="pain")
    completed = Course.objects.filter(practice=demo, status="completed").count()
    assert prior.n_courses == completed >= 5
    assert CourseSummary.objects.filter(practice=demo).count() == completed


@time_machine.travel(NOW, tick=False)
def test_a_record_edited_after_the_course_completed_refreshes_its_summary_and_prior(
    practice_a, therapist_a, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from backcourse.measures.models import MeasureDefinition
    from backcourse.records.services import MeasureValue, session_record_measures_set

    courses = _finished_courses(practice_a, therapist_a, 5)
    call_command("outcomes_refresh")
    course = courses[0]
    assert CourseSummary.objects.get(course=course).reached_session == 2
    stamp = StoredPrior.objects.get(practice=practice_a, measure_code="pain").computed_at

    # session 2 was really 7.5 before, not 6: the course reached 2 points better at 3
    session = course.sessions.order_by("starts_at")[1]
    pain = MeasureDefinition.objects.get(code="pain")
    with time_machine.travel("2027-01-16 12:00:00+00:00", tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            session_record_measures_set(
                session=session,
                values=[MeasureValue(pain, "before", Decimal("7.5"))],
                user=therapist_a.user,
                expected_version=None,
            )
        assert DBTaskResult.objects.filter(task_path__endswith="course_outcomes_refresh").count()
        _run_worker()

    assert CourseSummary.objects.get(course=course).reached_session == 3
    prior = StoredPrior.objects.get(practice=practice_a, measure_code="pain")
    assert prior.computed_at > stamp
    cell = ComplaintOutcomeCount.objects.get(
        practice=practice_a, complaint_key="low back pain", reached_session=3
    )
    assert cell.courses == 1


def test_a_record_of_an_active_course_queues_no_refresh(
    practice_a, therapist_a, django_capture_on_commit_callbacks
):
    from decimal import Decimal

    from backcourse.measures.models import MeasureDefinition
    from backcourse.records.services import MeasureValue, session_record_measures_set

    course = _finished_courses(practice_a, therapist_a, 1, status="active")[0]
    session = course.sessions.order_by("starts_at")[1]
    pain = MeasureDefinition.objects.get(code="pain")
    with time_machine.travel(NOW, tick=False), django_capture_on_commit_callbacks(execute=True):
        session_record_measures_set(
            session=session,
            values=[MeasureValue(pain, "before", Decimal("7"))],
            user=therapist_a.user,
            expected_version=None,
        )
    assert not DBTaskResult.objects.exists()
