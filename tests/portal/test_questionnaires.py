from decimal import Decimal

import pytest
from django.template import Context, Template
from django.urls import reverse

from backcourse.portal.models import QuestionnaireResponse
from backcourse.portal.questionnaires import (
    INSTRUMENTS,
    QuestionnaireError,
    score_psfs,
    score_pss4,
    score_rmdq,
)
from backcourse.portal.services import questionnaires_due
from tests import factories as f


def test_rmdq_counts_ticked_statements():
    assert score_rmdq({}) == 0
    assert score_rmdq({str(i): True for i in range(1, 25)}) == 24
    assert score_rmdq({"1": True, "5": True, "24": True}) == 3
    with pytest.raises(QuestionnaireError):
        score_rmdq({"25": True})


def test_pss4_reverses_items_2_and_3():
    assert score_pss4({"1": 0, "2": 4, "3": 4, "4": 0}) == 0
    assert score_pss4({"1": 4, "2": 0, "3": 0, "4": 4}) == 16
    assert score_pss4({"1": 2, "2": 1, "3": 3, "4": 2}) == 2 + 3 + 1 + 2
    with pytest.raises(QuestionnaireError):
        score_pss4({"1": 5, "2": 0, "3": 0, "4": 0})
    with pytest.raises(QuestionnaireError):
        score_pss4({"1": 1, "2": 0, "3": 0})


def test_psfs_is_the_mean_of_the_rated_activities():
    answers = {"activities": [{"name": "Gardening", "rating": 3}, {"name": "Run", "rating": 6}]}
    assert score_psfs(answers) == Decimal("4.50")
    with pytest.raises(QuestionnaireError):
        score_psfs({"activities": [{"name": "Run", "rating": 11}]})
    with pytest.raises(QuestionnaireError):
        score_psfs({"activities": []})


def test_every_instrument_records_its_licence():
    for instrument in INSTRUMENTS.values():
        assert instrument.licence


def test_client_fills_pss4_and_the_score_shows_on_the_course(as_client_a, agreed_a, course_a):
    url = reverse("portal:questionnaire", args=[course_a.pk, "pss4"])
    response = as_client_a.post(url, {"1": "3", "2": "1", "3": "1", "4": "2"})
    assert response.status_code == 302
    assert QuestionnaireResponse.objects.get().score == 3 + 3 + 3 + 2
    html = Template('{% include "portal/_questionnaire_scores.html" with course=c %}').render(
        Context({"c": course_a})
    )
    assert "PSS-4" in html and "11" in html


def test_out_of_range_and_tampered_answers_change_nothing(as_client_a, agreed_a, course_a):
    url = reverse("portal:questionnaire", args=[course_a.pk, "pss4"])
    response = as_client_a.post(url, {"1": "7", "2": "1", "3": "1"})
    assert b"Please choose one of the five answers." in response.content
    assert b"Please choose an answer." in response.content
    url = reverse("portal:questionnaire", args=[course_a.pk, "psfs"])
    response = as_client_a.post(url, {"name_1": "Lifting", "rating_1": "12", "rating_2": "4"})
    assert b"Please choose a number from 0 to 10." in response.content
    assert b"Please name the activity you rate." in response.content
    assert b'value="Lifting"' in response.content
    assert not QuestionnaireResponse.objects.exists()


def test_questionnaires_are_due_at_start_and_every_n_sessions(course_a, client_a):
    assert {i.code for i in questionnaires_due(course_a)} == {"rmdq", "psfs", "pss4"}
    for code in ("rmdq", "psfs", "pss4"):
        QuestionnaireResponse.objects.create(
            client=client_a, course=course_a, instrument=code, answers={}, score=1
        )
    assert questionnaires_due(course_a) == []


def test_another_clients_course_is_404(as_client_a, agreed_a, course_b):
    url = reverse("portal:questionnaire", args=[course_b.pk, "pss4"])
    assert as_client_a.get(url).status_code == 404
    response = as_client_a.post(url, {"1": "1", "2": "1", "3": "1", "4": "1"})
    assert response.status_code == 404
    assert not QuestionnaireResponse.objects.exists()


def test_an_unknown_questionnaire_is_404(as_client_a, agreed_a, course_a):
    assert as_client_a.get(f"/me/courses/{course_a.pk}/questionnaire/sf36/").status_code == 404


_ = f
