"""The shipped catalogues as tests read them: which locales ship one, and what each says."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po

from rris.common.domain.locales import LOCALE_IDENTIFIERS, SOURCE_LOCALE

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "rris" / "translations"
SHIPPED = tuple(identifier for identifier in LOCALE_IDENTIFIERS if identifier != SOURCE_LOCALE)


def catalogue(locale: str) -> Catalog:
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=locale)


@cache
def extracted() -> Catalog:
    """Every message the code and templates ask for today, extracted as `make messages` does."""
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    keywords = re.search(r"^BABEL_KEYWORDS := (.+)$", makefile, re.MULTILINE)
    assert keywords, "the Makefile names the extraction keywords in BABEL_KEYWORDS"
    pybabel = Path(sys.executable).parent / "pybabel"
    command = [str(pybabel), "-q", "extract", "-F", "babel.cfg", *keywords.group(1).split(), "--no-location"]
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "messages.pot"
        subprocess.run([*command, "-o", str(target), "."], cwd=ROOT, check=True, timeout=120)
        with target.open("rb") as pot:
            return read_po(pot)
