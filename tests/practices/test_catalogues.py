"""Every shipped catalogue keeps up with the code: a fresh extraction of the texts in the
templates and Python files (Django's makemessages, into a scratch copy of the source)
finds nothing that a catalogue lacks or leaves untranslated, and the committed .mo
says what the .po says."""

import gettext
import os
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

SOURCE = Path(settings.BASE_DIR)
SHIPPED = ["de", "lt"]


def unescape(quoted: str) -> str:
    """The text of a .po string's body (between its quotes)."""
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), quoted)


def po_entries(text: str) -> dict[str, list[str]]:
    """msgctxt\\x04msgid (or msgid) -> its msgstr forms, for every entry but the header."""
    entries = {}
    for block in text.split("\n\n"):
        fields: dict[str, str] = {}
        current = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?) "(.*)"$', line)
            if match:
                current = match.group(1)
                fields[current] = unescape(match.group(2))
            elif line.startswith('"') and current:
                fields[current] += unescape(line[1:-1])
        if "msgid" not in fields or fields["msgid"] == "" or block.startswith("#~"):
            continue
        if "#, fuzzy" in block:
            forms = [""]
        else:
            forms = [v for k, v in fields.items() if k.startswith("msgstr")]
        key = fields["msgid"]
        if "msgctxt" in fields:
            key = fields["msgctxt"] + "\x04" + key
        entries[key] = forms
    return entries


def locale_dirs(root: Path) -> list[Path]:
    """The project catalogue and any app that keeps its own (notifications does)."""
    return sorted(p for p in root.rglob("locale") if p.is_dir() and ".venv" not in p.parts)


@pytest.fixture(scope="module")
def fresh_extraction(tmp_path_factory) -> dict[Path, dict[str, list[str]]]:
    """makemessages over a scratch copy of the source (the committed catalogues are not
    touched); returns, per catalogue directory relative to backcourse/, the texts found."""
    scratch = tmp_path_factory.mktemp("extract") / "backcourse"
    shutil.copytree(
        SOURCE,
        scratch,
        ignore=shutil.ignore_patterns("locale", "static", "__pycache__", "*.mo", "*.po"),
    )
    for rel in (d.relative_to(SOURCE) for d in locale_dirs(SOURCE)):
        (scratch / rel).mkdir(parents=True, exist_ok=True)
    with override_settings(LOCALE_PATHS=[scratch / "locale"]):
        cwd = os.getcwd()
        os.chdir(scratch)
        try:
            call_command("makemessages", locale=["xx"], verbosity=0, no_obsolete=True)
        finally:
            os.chdir(cwd)
    found = {}
    for directory in locale_dirs(scratch):
        po = directory / "xx" / "LC_MESSAGES" / "django.po"
        if po.exists():
            found[directory.relative_to(scratch)] = po_entries(po.read_text(encoding="utf-8"))
    return found


def test_the_extraction_finds_the_texts(fresh_extraction):
    """Guards the guard: the scratch extraction sees templates, Python and app catalogues."""
    project = fresh_extraction[Path("locale")]
    assert "Log out" in project  # templates/base.html
    assert "Pain (0–10 numeric rating)" in project  # measures/vocabulary.py
    assert "cancel a session\x04Cancel" in project  # a text with context
    assert "Reminders and calendars" in fresh_extraction[Path("notifications/locale")]


def test_the_entry_reader_sees_gaps():
    text = (
        'msgid ""\nmsgstr "h"\n\nmsgid "a"\nmsgstr ""\n\n#, fuzzy\nmsgid "b"\nmsgstr "B"\n\n'
        'msgid "c"\nmsgstr ""\n"C\\n\\"q\\""\n'
    )
    entries = po_entries(text)
    assert entries == {"a": [""], "b": [""], "c": ['C\n"q"']}


@pytest.mark.parametrize("language", SHIPPED)
def test_the_catalogue_has_every_text_of_the_code_translated(fresh_extraction, language):
    behind = []
    for rel, wanted in fresh_extraction.items():
        po = SOURCE / rel / language / "LC_MESSAGES" / "django.po"
        have = po_entries(po.read_text(encoding="utf-8")) if po.exists() else {}
        for key in wanted:
            if not all(have.get(key, [""])):
                behind.append(f"{rel}: {key!r}")
    assert not behind, (
        f"{len(behind)} texts missing or untranslated in the {language} catalogue "
        f"(run makemessages -l {language}, translate, compilemessages): " + "; ".join(behind[:20])
    )


@pytest.mark.parametrize("language", SHIPPED)
def test_the_compiled_catalogue_matches_its_source(language):
    for directory in locale_dirs(SOURCE):
        po = directory / language / "LC_MESSAGES" / "django.po"
        if not po.exists():
            continue
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} is missing: run compilemessages and commit it"
        with mo.open("rb") as handle:
            compiled = gettext.GNUTranslations(handle)
        stale = []
        for key, forms in po_entries(po.read_text(encoding="utf-8")).items():
            if not all(forms):
                continue
            if len(forms) == 1 and compiled.gettext(key) != forms[0]:
                stale.append(key)
        assert not stale, f"{mo} is older than its .po: {stale[:5]}"


def test_lithuanian_has_three_plural_forms():
    with translation.override("lt"):
        words = {
            n: translation.ngettext("%(n)s session", "%(n)s sessions", n) % {"n": n}
            for n in (1, 2, 5, 10, 11, 21, 22, 25, 30)
        }
    assert words == {
        1: "1 seansas",
        2: "2 seansai",
        5: "5 seansai",
        10: "10 seansų",
        11: "11 seansų",
        21: "21 seansas",
        22: "22 seansai",
        25: "25 seansai",
        30: "30 seansų",
    }
