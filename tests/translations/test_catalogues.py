"""Every interface locale ships a complete catalogue, and no translation breaks its message.

A message without a translation in a shipped locale fails here, as does one whose placeholders
or plural forms differ from the English (Babel's own checkers), so a new string cannot land
untranslated."""

from __future__ import annotations

import pytest
from babel.messages.catalog import Catalog

from tests.translations.catalogues import SHIPPED, TRANSLATIONS, catalogue, extracted


def test_every_interface_locale_but_english_ships_its_catalogue():
    shipped = {path.parent.parent.name for path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")}
    assert shipped == set(SHIPPED)


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_message_asked_for_is_translated(locale):
    translations = catalogue(locale)
    missing = []
    for message in extracted():
        if not message.id:
            continue
        found = translations.get(message.id, context=message.context)
        forms = found.string if found is not None else None
        if found is None or found.fuzzy or not all(forms if isinstance(forms, tuple) else [forms]):
            missing.append(message.id if isinstance(message.id, str) else message.id[0])
    assert missing == [], f"{locale} lacks {len(missing)} translations, e.g. {missing[:5]}"


@pytest.mark.parametrize("locale", SHIPPED)
def test_placeholders_and_plural_forms_agree_with_the_english(locale):
    problems = [(message.id, [str(error) for error in errors]) for message, errors in catalogue(locale).check()]
    assert problems == []


def test_the_check_sees_a_placeholder_renamed_in_translation():
    broken = Catalog(locale="sr_Latn")
    broken.add("%(count)d interpreters", "%(broj)d prevodilaca", flags=("python-format",))
    assert [errors for _message, errors in broken.check()]
