"""Bad input gets a clear message and changes nothing — never a server error."""

import importlib
import inspect
import json
from datetime import UTC, datetime

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from backcourse.portal.models import FollowUp
from backcourse.records.models import SessionRecord
from backcourse.scheduling.models import Session
from backcourse.security.limits import TEXT_MAX, validate_plausible_date
from tests.records.helpers import form_data

NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)


@pytest.fixture
def consented_a(client_a, practice_a):
    """client_a has agreed to the practice's consent texts (records need it)."""
    from backcourse.clients.consent import consent_texts_default
    from backcourse.portal.services import consent_agree

    texts = consent_texts_default(practice_a)
    consent_agree(client=client_a, text_ids=[t.pk for t in texts])
    return client_a


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


# --- free text ---------------------------------------------------------------------


def test_a_1_mb_soap_note_is_refused_with_a_message_and_nothing_saved(
    as_therapist_a, session_a, frozen
):
    response = as_therapist_a.post(
        reverse("records:edit", args=[session_a.pk]), form_data(subjective="x" * 1_000_000)
    )
    assert response.status_code == 200
    assert f"at most {TEXT_MAX:,} characters".replace(",", ",") in response.content.decode() or (
        f"at most {TEXT_MAX} characters" in response.content.decode()
    )
    assert not SessionRecord.objects.filter(session=session_a).exists()
    # What was typed in the other fields is still in the form.
    assert "Upper trapezius tender on the left." in response.content.decode()


def _form_classes():
    for config in apps.get_app_configs():
        if not config.name.startswith("backcourse."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def test_every_free_text_field_of_every_form_has_a_length_limit_and_dates_a_range():
    checked = 0
    for cls in _form_classes():
        for name, field in cls.base_fields.items():
            where = f"{cls.__module__}.{cls.__name__}.{name}"
            if (
                type(field) is forms.CharField
                or isinstance(field, forms.CharField)
                and not (isinstance(field, forms.EmailField | forms.SlugField | forms.URLField))
            ):
                assert field.max_length is not None, f"{where} has no max_length"
                checked += 1
            if isinstance(field, forms.DateField):
                assert validate_plausible_date in field.validators or any(
                    v is validate_plausible_date for v in field.default_validators
                ), f"{where} takes any date"
                checked += 1
    assert checked > 15


def test_every_admin_form_limits_free_text_and_dates(world_a):
    request = RequestFactory().get("/admin/")
    request.user = world_a.staff["owner"].user
    request.staff = world_a.staff["owner"]
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("backcourse."):
            continue
        form = model_admin.get_form(request)
        for name, field in form.base_fields.items():
            db_field = next((f for f in model._meta.fields if f.name == name), None)
            if db_field is None:
                continue
            if db_field.get_internal_type() == "TextField":
                # A field may set a tighter limit of its own (a therapist's short bio).
                assert field.max_length and field.max_length <= TEXT_MAX, f"{model.__name__}.{name}"
                checked += 1
            if db_field.get_internal_type() in ("DateField", "DateTimeField"):
                assert validate_plausible_date in field.validators, f"{model.__name__}.{name}"
                checked += 1
    assert checked > 10


# --- dates -------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "2026-02-30", "x"])
@pytest.mark.parametrize("view,param", [("scheduling:day", "date"), ("scheduling:week", "start")])
def test_implausible_dates_in_the_calendar_show_today_with_a_message(
    as_therapist_a, session_a, frozen, view, param, day
):
    response = as_therapist_a.get(reverse(view) + f"?{param}={day}")
    assert response.status_code == 200
    text = response.content.decode()
    assert "showing today" in text


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_session_on_an_implausible_date_is_refused_with_a_message(
    as_therapist_a, client_a, therapist_a, frozen, day
):
    before = Session.objects.count()
    response = as_therapist_a.post(
        reverse("scheduling:session_create"),
        {
            "therapist": therapist_a.pk,
            "client": client_a.pk,
            "date": day,
            "time": "10:00",
            "duration_minutes": "60",
        },
    )
    assert response.status_code == 400  # the form again, with the message
    assert "Enter a date between 1900-01-01 and 2199-12-31." in response.content.decode()
    assert Session.objects.count() == before


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_the_series_form_refuses_implausible_dates(as_therapist_a, course_a, frozen, day):
    response = as_therapist_a.post(
        reverse("booking:series", args=[course_a.pk]), {"first_date": day, "first_time": "10:00"}
    )
    assert response.status_code in (200, 400)
    assert "Enter a date between 1900-01-01 and 2199-12-31." in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        "from=0001-01-01",
        "from=9999-12-31",
        "to=9999-12-31",
        "from=0001-01-01T00:00:00&to=0001-01-02",
        f"offset={2**63}",
        f"limit={2**63}",
        "offset=-1",
    ],
)
def test_api_sessions_refuses_out_of_range_parameters_with_422(api_a, frozen, query):
    response = api_a.get(f"/api/v1/sessions?{query}")
    assert response.status_code == 422, response.content
    assert "detail" in response.json()


@pytest.mark.parametrize("where", ["q=a%00b", "measure=pa%00in"])
def test_a_nul_byte_in_api_parameters_is_a_422(api_a, course_a, where):
    path = "/api/v1/clients" if where.startswith("q") else f"/api/v1/courses/{course_a.pk}/effect"
    response = api_a.get(f"{path}?{where}")
    assert response.status_code == 422
    assert "NUL" in response.json()["detail"][0]["msg"]


def test_a_nul_byte_in_a_form_is_refused_and_nothing_saved(as_therapist_a, client_a):
    response = as_therapist_a.post(
        reverse("clients:edit", args=[client_a.pk]),
        {"first_name": "Cla\x00ra", "last_name": "Adler"},
    )
    assert response.status_code == 400
    client_a.refresh_from_db()
    assert client_a.first_name == "Clara"


@pytest.mark.parametrize("body", ["[]", '"x"', "1", "null", "{}", '{"version": 0}'])
def test_measures_with_a_body_that_is_no_object_with_values_change_nothing(
    api_a, session_a, consented_a, body
):
    session_a.starts_at = datetime(2026, 11, 2, 9, tzinfo=UTC)
    session_a.save()
    traveller = time_machine.travel(datetime(2026, 11, 2, 12, tzinfo=UTC), tick=False)
    traveller.start()
    url = f"/api/v1/sessions/{session_a.pk}/measures"
    first = api_a.post(url, data={"pain_before": 5}, content_type="application/json")
    assert first.status_code == 200, first.content
    version = SessionRecord.objects.get(session=session_a).version
    response = api_a.post(url, data=body, content_type="application/json")
    traveller.stop()
    assert response.status_code == 422
    assert SessionRecord.objects.get(session=session_a).version == version


# --- next ----------------------------------------------------------------------------


@pytest.mark.parametrize("nxt", ["abc", "//evil.example/", "https://evil.example/", "/\\evil"])
def test_a_bad_next_after_a_status_change_goes_to_the_day_and_keeps_the_change(
    as_therapist_a, session_a, consented_a, frozen, nxt
):
    response = as_therapist_a.post(
        reverse("scheduling:session_status", args=[session_a.pk]),
        {"status": "cancelled", "next": nxt},
    )
    assert response.status_code == 302
    assert response.url.startswith(reverse("scheduling:day"))
    session_a.refresh_from_db()
    assert session_a.status == "cancelled"


def test_a_bad_next_after_paper_consent_goes_home(as_therapist_a, client_a, practice_a):
    from backcourse.clients.consent import consent_texts_default

    consent_texts_default(practice_a)
    response = as_therapist_a.post(
        reverse("portal:staff_consent_paper", args=[client_a.pk]),
        {"kind": ["treatment"], "next": "abc"},
    )
    assert response.status_code == 302 and response.url == reverse("home")


def test_a_bad_next_on_the_consent_page_is_ignored(client, client_a, practice_a):
    from backcourse.clients.consent import consent_texts_default
    from tests import factories as f

    consent_texts_default(practice_a)
    client_a.user = f.UserFactory(email=client_a.email)
    client_a.save()
    client.force_login(client_a.user)
    response = client.get(reverse("portal:consent") + "?next=abc")
    assert response.status_code == 200
    assert 'value="abc"' not in response.content.decode()


# --- links -------------------------------------------------------------------------


def test_a_follow_up_link_whose_row_was_deleted_says_so(client, world_a):
    secret = world_a.secrets["follow_up"]
    FollowUp.objects.filter(session=world_a.objects["scheduling.session"]).delete()
    with time_machine.travel(NOW, tick=False):
        response = client.post(reverse("portal:followup", args=[secret]), {"value": "3"})
    assert response.status_code == 400
    assert "no longer valid" in response.content.decode()


def test_the_api_schema_documents_the_error_answers(client, db):
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    for path, operations in schema["paths"].items():
        if path.startswith("/api/v1/billing"):
            continue  # the billing router (issue 11) documents its own answers
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert {"401", "403", "404", "422"} <= codes, (method, path, codes)
