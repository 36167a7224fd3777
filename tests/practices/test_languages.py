"""The practice's language applies to its staff's pages: English and German ship."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from backcourse.scheduling.models import Session


@pytest.fixture(autouse=True)
def _english_afterwards():
    yield
    translation.activate("en")


def test_a_german_practice_gets_german_pages(practice_a, as_therapist_a):
    practice_a.language = "de"
    practice_a.save(update_fields=["language"])
    html = as_therapist_a.get(reverse("scheduling:day")).content.decode()
    assert '<html lang="de">' in html
    assert ">Heute<" in html and ">Woche<" in html and "Abmelden" in html
    assert ">Today<" not in html


def test_an_english_practice_gets_english_pages(practice_a, as_therapist_a):
    html = as_therapist_a.get(reverse("scheduling:day")).content.decode()
    assert '<html lang="en">' in html
    assert ">Today<" in html and "Log out" in html
    assert "Heute" not in html


def test_each_practice_sees_its_own_language(practice_a, as_therapist_a, therapist_b, client):
    """One server, two practices: the language follows the signed-in user's practice."""
    practice_a.language = "de"
    practice_a.save(update_fields=["language"])
    assert ">Heute<" in as_therapist_a.get(reverse("scheduling:day")).content.decode()
    client.force_login(therapist_b.user)
    assert ">Today<" in client.get(reverse("scheduling:day")).content.decode()


def untranslated_entries(po_text: str) -> list[str]:
    """Entries of a .po file (header skipped) that are fuzzy or have an empty msgstr."""
    bad = []
    for entry in po_text.split("\n\n")[1:]:
        translations: dict[str, str] = {}
        current = None
        for line in entry.splitlines():
            match = re.match(r'^(msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                translations[current] = match.group(2)
            elif line.startswith("msg"):
                current = None
            elif line.startswith('"') and current:
                translations[current] += line[1:-1]
        if "#, fuzzy" in entry or not all(translations.values()):
            bad.append(entry)
    return bad


def test_the_untranslated_check_sees_gaps():
    text = 'msgid ""\nmsgstr "h"\n\nmsgid "a"\nmsgstr ""\n\nmsgid "b"\nmsgstr ""\n"B"\n'
    assert [e.split("\n")[0] for e in untranslated_entries(text)] == ['msgid "a"']


def test_the_german_catalogue_has_no_untranslated_or_fuzzy_entries():
    po = Path(settings.BASE_DIR, "locale", "de", "LC_MESSAGES", "django.po")
    assert not untranslated_entries(po.read_text(encoding="utf-8"))
    assert po.with_suffix(".mo").exists(), "run compilemessages and commit the .mo"


def test_the_compiled_catalogue_is_used():
    with translation.override("de"):
        assert translation.gettext("Today") == "Heute"
        assert translation.gettext("Log out") == "Abmelden"
        assert str(Session.Status.NO_SHOW.label) == "Nicht erschienen"
        assert translation.ngettext("%(n)s session", "%(n)s sessions", 2) == "%(n)s Sitzungen"


def test_shipped_vocabulary_speaks_the_practice_language(
    practice_a, as_therapist_a, course_a, session_a
):
    from backcourse.measures.models import MeasureDefinition

    practice_a.language = "de"
    practice_a.save(update_fields=["language"])
    html = as_therapist_a.get(reverse("courses:detail", args=[course_a.pk])).content.decode()
    assert "Schmerz" in html and "Finger–Boden" in html
    # A measure a practice adds itself has no translation and shows as typed.
    MeasureDefinition.objects.create(
        code="sleep", name="Sleep quality", short_name="Sleep", min_value=0, max_value=10
    )
    html = as_therapist_a.get(reverse("courses:detail", args=[course_a.pk])).content.decode()
    assert ">Sleep<" in html


def test_a_lithuanian_practice_gets_lithuanian_pages_and_vocabulary(
    practice_a, as_therapist_a, course_a, session_a
):
    practice_a.language = "lt"
    practice_a.save(update_fields=["language"])
    html = as_therapist_a.get(reverse("scheduling:day")).content.decode()
    assert '<html lang="lt">' in html
    assert ">Šiandien<" in html and "Atsijungti" in html
    html = as_therapist_a.get(reverse("courses:detail", args=[course_a.pk])).content.decode()
    assert "Skausmas" in html and "Pirštai–grindys" in html
