"""The stylesheets mirror under dir="rtl": sides are logical (start/end), never left/right."""

import re
from pathlib import Path

import pytest

CSS = Path(__file__).resolve().parents[2] / "static" / "css"
PHYSICAL_SIDE = re.compile(
    r"\b(?:margin|padding|border)-(?:left|right)\b|text-align:\s*(?:left|right)\b|float:\s*(?:left|right)\b"
    r"|(?<![-\w])(?:left|right):"
)
CENTRED = "/* centred: the same both ways */"


@pytest.mark.parametrize("sheet", sorted(CSS.glob("*.css")), ids=lambda path: path.name)
def test_a_stylesheet_names_no_physical_side_so_right_to_left_pages_mirror(sheet):
    physical = [
        f"{sheet.name}:{number}: {line.strip()}"
        for number, line in enumerate(sheet.read_text().splitlines(), start=1)
        if PHYSICAL_SIDE.search(line) and CENTRED not in line
    ]
    assert physical == [], "use margin-inline-start, inset-inline-end, text-align: start... instead"


def test_the_back_arrow_of_a_breadcrumb_turns_round_on_right_to_left_pages():
    sheet = (CSS / "rris.css").read_text()
    assert '.breadcrumb a::before { content: "← "; }' in sheet
    assert '[dir="rtl"] .breadcrumb a::before { content: "→ "; }' in sheet
