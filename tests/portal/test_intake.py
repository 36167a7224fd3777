from django.template import Context, Template
from django.urls import reverse

from backcourse.clients.models import Intake, ScreeningQuestion
from backcourse.clients.screening import (
    DEFAULT_QUESTIONS,
    client_flags,
    screening_questions_default,
)
from backcourse.measures.models import MuscleRegion


def _answers(questions, yes=()):
    return {f"q_{q.pk}": "yes" if q.code in yes else "no" for q in questions}


def test_default_questions_are_loaded_once(practice_a):
    assert screening_questions_default(practice_a) == len(DEFAULT_QUESTIONS)
    assert screening_questions_default(practice_a) == 0
    codes = set(
        ScreeningQuestion.objects.filter(practice=practice_a).values_list("code", flat=True)
    )
    assert {"fever", "saddle_bladder", "thrombosis", "pregnancy", "anticoagulants"} <= codes


def test_a_clean_intake_is_saved_without_flags(as_client_a, agreed_a, questions_a, client_a):
    region = MuscleRegion.objects.get(code="erector_spinae_lumbar_l")
    data = {"complaint": "Low back", "regions": [region.pk], "history": "2 years", "medication": ""}
    data.update(_answers(questions_a))
    response = as_client_a.post(reverse("portal:intake"), data)
    assert response.status_code == 302
    intake = Intake.objects.get(client=client_a)
    assert list(intake.regions.all()) == [region]
    assert client_flags(client_a) == []


def test_a_red_flag_shows_advice_and_flags_the_client(as_client_a, agreed_a, questions_a, client_a):
    data = {"complaint": "Low back"}
    data.update(_answers(questions_a, yes={"saddle_bladder", "pregnancy"}))
    response = as_client_a.post(reverse("portal:intake"), data)
    assert response.status_code == 200
    assert b"see a doctor first" in response.content
    assert b"medical help today" in response.content
    flags = client_flags(client_a)
    assert [f.kind for f in flags] == ["red_flag", "contraindication"]
    # The home page keeps showing the advice.
    assert b"Please see a doctor first" in as_client_a.get(reverse("portal:home")).content
    # The badge for the therapist's pages.
    html = Template('{% include "portal/_flags_badge.html" with client=c %}').render(
        Context({"c": client_a})
    )
    assert "Red flag" in html and "(2)" in html


def test_a_missing_answer_gets_a_message_and_saves_nothing(as_client_a, agreed_a, questions_a):
    data = {"complaint": "Low back"}
    data.update(_answers(questions_a[1:]))
    response = as_client_a.post(reverse("portal:intake"), data)
    assert response.status_code == 200
    assert b"Please answer yes or no." in response.content
    assert b'value="Low back"' in response.content
    assert not Intake.objects.exists()


def test_tampered_answers_and_regions_are_refused(as_client_a, agreed_a, questions_a):
    data = {"complaint": "x", "regions": ["99999"]}
    data.update(_answers(questions_a))
    data[f"q_{questions_a[0].pk}"] = "maybe"
    response = as_client_a.post(reverse("portal:intake"), data)
    assert response.status_code == 200
    assert b"Please answer yes or no." in response.content
    assert b"Please choose regions from the chart." in response.content
    assert not Intake.objects.exists()


def test_an_inactive_question_is_not_asked_and_an_edit_does_not_change_old_answers(
    as_client_a, agreed_a, questions_a, client_a
):
    fever = next(q for q in questions_a if q.code == "fever")
    data = {"complaint": "x"}
    data.update(_answers(questions_a, yes={"fever"}))
    as_client_a.post(reverse("portal:intake"), data)
    fever.text = "Edited"
    fever.is_active = False
    fever.save()
    assert client_flags(client_a)[0].question.startswith("Do you have a fever")
    page = as_client_a.get(reverse("portal:intake"))
    assert b"Edited" not in page.content


def test_staff_intake_include_shows_answers_and_badge(client_a, questions_a):
    from backcourse.portal.services import intake_submit

    intake_submit(
        client=client_a,
        complaint="Neck",
        regions=[],
        history="",
        medication="Ibuprofen",
        answers={q.pk: q.code == "fever" for q in questions_a},
    )
    html = Template('{% include "portal/_intake_summary.html" with client=c %}').render(
        Context({"c": client_a})
    )
    assert "Neck" in html and "Ibuprofen" in html and "Red flag" in html
