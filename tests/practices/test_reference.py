"""Consent texts, course-effect priors, measures and the staff list are kept in each process's memory
(practices/reference.py) and read again as soon as they change, in this process or in
another. These tests run outside a test transaction, as requests do."""

import dataclasses

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from backcourse.clients.consent import consent_current_texts, consent_texts_default
from backcourse.clients.models import ConsentText
from backcourse.lib.course_effect import PracticePrior
from backcourse.outcomes.models import StoredPrior
from backcourse.outcomes.selectors import practice_prior
from backcourse.practices.models import Practice

pytestmark = pytest.mark.django_db(transaction=True)


def loaded(practice) -> Practice:
    """The practice row as the next request loads it (the middleware does)."""
    return Practice.objects.get(pk=practice.pk)


def versions(texts) -> list[tuple[str, int]]:
    return [(t.kind, t.version) for t in texts]


def test_the_texts_are_read_once_and_then_kept(practice_a):
    consent_texts_default(practice_a)
    practice = loaded(practice_a)
    first = consent_current_texts(practice)
    with CaptureQueriesContext(connection) as queries:
        again = consent_current_texts(practice)
    assert versions(again) == versions(first) == [("treatment", 1), ("health_data", 1)]
    assert len(queries) == 0


def test_a_version_published_here_counts_at_once(practice_a):
    consent_texts_default(practice_a)
    practice = loaded(practice_a)
    consent_current_texts(practice)
    ConsentText.objects.create(
        practice=practice_a, kind="treatment", version=2, text="New", published_at=timezone.now()
    )
    # even for a practice row loaded before the change (this request's)
    assert versions(consent_current_texts(practice))[0] == ("treatment", 2)
    assert versions(consent_current_texts(loaded(practice_a)))[0] == ("treatment", 2)


def test_a_change_made_by_another_process_counts_from_its_next_request(practice_a):
    texts = consent_texts_default(practice_a)
    before = loaded(practice_a)
    consent_current_texts(before)
    # Another process withdraws the treatment text: its signal changes the revision in
    # the database; this process's memory is not told.
    ConsentText.objects.filter(pk=texts[0].pk).update(published_at=None)
    Practice.objects.filter(pk=practice_a.pk).update(reference_revision=12345)
    assert versions(consent_current_texts(loaded(practice_a))) == [("health_data", 1)]


def test_a_text_published_for_later_becomes_current_on_time(practice_a):
    consent_texts_default(practice_a)
    now = timezone.now()
    ConsentText.objects.create(
        practice=practice_a,
        kind="treatment",
        version=2,
        text="From next week",
        published_at=now + timezone.timedelta(days=7),
    )
    practice = loaded(practice_a)
    assert versions(consent_current_texts(practice, now=now))[0] == ("treatment", 1)
    later = now + timezone.timedelta(days=8)
    assert versions(consent_current_texts(practice, now=later))[0] == ("treatment", 2)


def test_nothing_read_inside_a_transaction_is_kept(practice_a):
    consent_texts_default(practice_a)
    practice = loaded(practice_a)
    with transaction.atomic():
        ConsentText.objects.create(
            practice=practice_a, kind="treatment", version=2, text="x", published_at=timezone.now()
        )
        assert versions(consent_current_texts(practice))[0] == ("treatment", 2)
        transaction.set_rollback(True)
    assert versions(consent_current_texts(loaded(practice_a)))[0] == ("treatment", 1)
    assert versions(consent_current_texts(practice))[0] == ("treatment", 1)


def test_a_refitted_prior_is_used_from_the_next_request(practice_a):
    assert practice_prior(loaded(practice_a), "pain").source == "default"
    fitted = dataclasses.replace(PracticePrior.default(False, bounded=True), source="practice")
    StoredPrior.objects.update_or_create(
        practice=practice_a,
        measure_code="pain",
        defaults={
            "params": dataclasses.asdict(fitted),
            "n_courses": 12,
            "computed_at": timezone.now(),
        },
    )
    assert practice_prior(loaded(practice_a), "pain").source == "practice"


def test_a_measure_edited_in_the_admin_shows_on_every_practices_next_page(
    practice_a, other_practice
):
    from backcourse.measures.models import MeasureDefinition
    from backcourse.measures.selectors import measure_definitions

    names = {p.pk: measure_definitions(loaded(p))[0].name for p in (practice_a, other_practice)}
    first = MeasureDefinition.objects.order_by("order", "code").first()
    first.name = "Renamed"
    first.save()
    for practice in (practice_a, other_practice):
        assert measure_definitions(loaded(practice))[0].name == "Renamed" != names[practice.pk]


def test_the_calendar_keeps_the_staff_list_until_a_colleague_changes(as_therapist_a, practice_a):
    from django.urls import reverse

    from backcourse.accounts.models import User
    from backcourse.practices.reference import reference_changed
    from backcourse.setup.services import staff_deactivate
    from tests import factories as f

    def therapist_choices() -> str:
        html = as_therapist_a.get(reverse("scheduling:day"), {"therapist": "all"}).content
        return html.decode().split('name="therapist"')[1].split("</select>")[0]

    ben = f.StaffFactory(practice=practice_a, user__username="ben", display_name="")
    User.objects.filter(pk=ben.user_id).update(first_name="Ben", last_name="Kurz")
    reference_changed(practice_a.pk)
    assert "Ben Kurz" in therapist_choices()
    # Kept: a change no signal reports (a queryset update) is not seen...
    User.objects.filter(pk=ben.user_id).update(first_name="Benedikt")
    assert "Ben Kurz" in therapist_choices()
    # ...a rename through the model is, at once; so are a new colleague and one who leaves
    user = User.objects.get(pk=ben.user_id)
    user.last_name = "Lang"
    user.save()
    assert "Benedikt Lang" in therapist_choices()
    f.StaffFactory(practice=practice_a, user__username="cleo", display_name="Cleo Neu")
    assert "Cleo Neu" in therapist_choices()
    staff_deactivate(staff=ben)
    assert "Benedikt" not in therapist_choices()
    assert "Cleo Neu" in therapist_choices()


def test_a_login_leaves_the_practices_reference_data_alone(client, therapist_a, practice_a):
    from backcourse.practices.reference import reference_changed

    reference_changed(practice_a.pk)
    before = loaded(practice_a).reference_revision
    therapist_a.user.set_password("a-long-enough-password")
    therapist_a.user.save(update_fields=["password"])
    client.force_login(therapist_a.user)  # saves last_login
    assert loaded(practice_a).reference_revision == before


def test_a_course_table_names_its_values_from_the_vocabularies_in_memory(course_a):
    """Two queries (the sessions, their records' values) once the measures, regions and
    techniques are kept; a technique renamed in the admin shows at once."""
    from datetime import UTC, datetime, timedelta

    from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
    from backcourse.records.models import Measurement, SessionRecord, TensionReading
    from backcourse.records.selectors import course_measure_table
    from tests import factories as f

    def table():
        course = type(course_a).objects.select_related("practice", "client").get(pk=course_a.pk)
        return course_measure_table(course)

    start = datetime(2026, 11, 2, 9, tzinfo=UTC)
    pain = MeasureDefinition.objects.get(code="pain")
    region = MuscleRegion.objects.order_by("order").first()
    for k in range(3):
        session = f.SessionFactory(course=course_a, starts_at=start + timedelta(days=7 * k))
        record = SessionRecord.objects.create(session=session)
        Measurement.objects.create(record=record, measure=pain, moment="before", value=7 - k)
        TensionReading.objects.create(record=record, region=region, level=k)
        record.techniques.set([Technique.objects.order_by("order").first()])
    table()
    with CaptureQueriesContext(connection) as queries:
        rows = table()
    assert len(queries) == 3  # the course, its sessions, their records' values
    assert [r.value("pain", "before") for r in rows] == [7, 6, 5]
    assert [r.tension_sum for r in rows] == [None, 1, 2] and rows[0].tension_read
    technique = Technique.objects.order_by("order").first()
    technique.name = "Renamed stroke"
    technique.save()
    assert [str(t) for t in table()[0].techniques] == ["Renamed stroke"]


def test_course_and_client_pages_name_the_therapist_from_memory_and_see_a_rename(
    as_therapist_a, client_a, practice_a
):
    from django.urls import reverse

    from tests import factories as f

    ben = f.StaffFactory(practice=practice_a, user__username="ben", display_name="Ben Kurz")
    course = f.CourseFactory(client=client_a, therapist=ben)  # not the signed-in one
    pages = [reverse("courses:detail", args=[course.pk])]
    pages.append(reverse("clients:detail", args=[client_a.pk]))
    for url in pages:
        assert "Ben Kurz" in as_therapist_a.get(url).content.decode()
    ben.display_name = "Ben Lang"
    ben.save()
    for url in pages:
        html = as_therapist_a.get(url).content.decode()
        assert "Ben Lang" in html and "Ben Kurz" not in html
        assert "Pain ≤ 3" in html  # the goal, its measure also from memory
