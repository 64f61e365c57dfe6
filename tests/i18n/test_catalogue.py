"""The Chinese catalogue is complete, faithful and compiled: CI fails on any untranslated or
fuzzy entry, on a sentence of the code missing from it, and on a stale .mo file."""

import re
import shutil
import subprocess
import sys

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

from videos.management.commands.makemessages import IGNORED

LOCALE = settings.BASE_DIR / "locale"
DOMAINS = ("django", "djangojs")
LANGUAGES = [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]
CATALOGUES = [(language, domain) for language in LANGUAGES for domain in DOMAINS]
PLACEHOLDER = re.compile(r"%\(\w+\)[-+ #0-9.]*[sdif]|\{\w*\}")
TAG = re.compile(r"</?(a|abbr|br|code|em|kbd|span|strong|time)\b")


def _catalogue(language, domain) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.po"))


def _key(entry):
    return (entry.msgctxt, entry.msgid, entry.msgid_plural)


def _translations(entry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


def test_every_language_but_english_has_a_catalogue():
    assert LANGUAGES == ["zh_Hans"]
    for language, domain in CATALOGUES:
        assert (LOCALE / language / "LC_MESSAGES" / f"{domain}.po").exists()


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_every_entry_is_translated_and_none_is_fuzzy(language, domain):
    catalogue = _catalogue(language, domain)
    assert len(catalogue) > 0
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert [e.msgid for e in catalogue.obsolete_entries()] == []
    assert not catalogue.metadata_is_fuzzy  # a fuzzy header is skipped: plurals would break
    assert catalogue.metadata["Plural-Forms"] == "nplurals=1; plural=0;"


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_each_translation_keeps_the_placeholders_and_the_markup(language, domain):
    wrong = []
    for entry in _catalogue(language, domain):
        wanted = sorted(PLACEHOLDER.findall(entry.msgid))
        tags = sorted(TAG.findall(entry.msgid))
        for text in _translations(entry):
            if sorted(PLACEHOLDER.findall(text)) != wanted or sorted(TAG.findall(text)) != tags:
                wrong.append((entry.msgid, text))
    assert wrong == []


@pytest.mark.parametrize(("language", "domain"), CATALOGUES)
def test_the_compiled_catalogue_is_the_source_s(language, domain):
    source = {_key(e): _translations(e) for e in _catalogue(language, domain)}
    compiled = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / f"{domain}.mo"))
    assert {_key(e): _translations(e) for e in compiled if e.msgid} == source, (
        "run: python manage.py compilemessages"
    )


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="GNU gettext's xgettext is not installed (apt-get install gettext; .ci/run does)",
)
def test_the_catalogue_holds_every_sentence_the_code_marks_and_no_other(tmp_path):
    """makemessages, run on a copy of the code, finds nothing to add and nothing to drop."""
    copy = tmp_path / "site"
    shutil.copytree(
        settings.BASE_DIR,
        copy,
        ignore=shutil.ignore_patterns(*IGNORED, "venv", "__pycache__", "*.sqlite3*"),
    )
    for domain in DOMAINS:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-d", domain],
            cwd=copy,
            check=True,
            capture_output=True,
        )
    for language, domain in CATALOGUES:
        fresh = polib.pofile(str(copy / "locale" / language / "LC_MESSAGES" / f"{domain}.po"))
        ours = _catalogue(language, domain)
        new = sorted(e.msgid for e in fresh.untranslated_entries() + fresh.fuzzy_entries())
        gone = sorted(e.msgid for e in fresh.obsolete_entries())
        assert (new, gone) == ([], []), (
            f"{domain}.po is behind the code: run python manage.py makemessages -d {domain}, "
            "translate the new entries, then compilemessages"
        )
        assert {_key(e) for e in fresh} == {_key(e) for e in ours}
