"""The sentences a page gives its scripts: its `rris-strings` data block (static/js/strings.js)."""

from __future__ import annotations

import json
import re
from typing import Any

STRINGS_BLOCK = re.compile(r'<script type="application/json" id="rris-strings">(.*?)</script>', re.S)


def script_strings(page: str) -> dict[str, Any]:
    """The page's strings block, parsed; fails the test when the page has none or it is not JSON."""
    found = STRINGS_BLOCK.findall(page)
    assert len(found) == 1, f"expected one strings block on the page, found {len(found)}"
    strings = json.loads(found[0])
    assert isinstance(strings, dict)
    return strings
