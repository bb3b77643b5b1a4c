"""The README's data map covers every table: each is either in it (what, why, how long) or
known to hold no personal data, so a new table cannot slip in unaccounted for."""

from __future__ import annotations

import re
from pathlib import Path

import rris.tables  # noqa: F401  (registers every table)
from rris.extensions import db

ROOT = Path(__file__).resolve().parent.parent
SECTION = "## Personal data: the data map"


def _section() -> str:
    readme = (ROOT / "README.md").read_text()
    start = readme.index(SECTION)
    end = readme.index("\n## ", start + len(SECTION))
    return readme[start:end]


def test_every_table_is_in_the_data_map_or_holds_no_personal_data():
    section = _section()
    mapped_rows = [line for line in section.splitlines() if line.startswith("| `")]
    mapped = {name for line in mapped_rows for name in re.findall(r"`([a-z_]+)`", line.split("|")[1])}
    without = section[section.index("Tables with no personal data") :].split(".")[0]
    not_personal = set(re.findall(r"`([a-z_]+)`", without))
    tables = set(db.metadata.tables)
    assert tables - mapped - not_personal == set(), "tables missing from the README's data map"
    assert (mapped | not_personal) - tables == set(), "the data map names tables that do not exist"
    assert mapped & not_personal == set()


def test_each_entry_says_what_why_and_how_long():
    for line in _section().splitlines():
        if line.startswith("| `"):
            cells = [cell.strip() for cell in line.strip("|").split("|")]
            assert len(cells) == 4 and all(cells), line
