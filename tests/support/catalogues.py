"""Translation catalogues for tests: the .mo files the portal reads, built from the .po catalogues
before a test run (as `make catalogues` does), so that `pytest` alone sees every language too; and
test-only catalogues of a few sentences, for a test that checks which language something speaks
whatever the shipped catalogues say."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import get_babel

TRANSLATIONS = Path(__file__).resolve().parents[2] / "rris" / "translations"


def compile_catalogues() -> None:
    """Compile each catalogue whose .mo is missing or older than its .po."""
    for po in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        with mo.open("wb") as target:
            write_mo(target, catalogue)


@contextmanager
def only_these_translations(app: Flask, folder: Path, sentences: Mapping[str, Mapping[str, str]]) -> Iterator[None]:
    """While inside, the app translates only `sentences` ({locale: {English: translation}}),
    compiled into `folder`, in place of the shipped catalogues."""
    for locale, translations in sentences.items():
        catalogue = Catalog(locale=locale)
        for english, translated in translations.items():
            catalogue.add(english, translated)
        messages = folder / "translations" / locale / "LC_MESSAGES"
        messages.mkdir(parents=True)
        with (messages / "messages.mo").open("wb") as compiled:
            write_mo(compiled, catalogue)
    configuration = get_babel(app)
    cache = configuration.instance.domain_instance.cache
    original = configuration.translation_directories
    configuration.translation_directories = [str(folder / "translations")]
    cache.clear()
    try:
        yield
    finally:
        configuration.translation_directories = original
        cache.clear()
