"""Settings are passed in: only the entry points read them from the running app.

The web views (each capability's `web` package and `rris/api`), the CLI, the app factory, the
scheduler's jobs and the signalling service read `Settings` once (`rris.context.current_settings`,
or the object they were built with) and hand the values or small policies a use case needs down
as arguments; nothing below them reads the settings ambiently.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ENTRY_POINTS = (
    "rris/portal.py", "rris/api/", "rris/cli.py", "rris/app.py", "rris/context.py", "scheduler/", "signaling/"
)
# Modules that still read the settings ambiently, to be passed in as the rest are (issue 14).
# The list may only shrink: a module that no longer reads them must leave it.
NOT_YET_PASSED_IN: set[str] = set()


def _reads_settings_ambiently(path: Path) -> bool:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        imported = isinstance(node, ast.ImportFrom) and node.module == "rris.context"
        if imported and any(alias.name == "current_settings" for alias in node.names):
            return True
        looked_up = isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant)
        if looked_up and node.slice.value == "rris.settings":  # app.extensions["rris.settings"]
            return True
    return False


def _core_modules() -> list[str]:
    found = []
    for package in ("rris", "scheduler", "signaling"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT).as_posix()
            if not relative.startswith(ENTRY_POINTS) and "/web/" not in relative:  # every capability's pages
                found.append(relative)
    return found


def test_below_the_entry_points_no_module_reads_the_settings_ambiently():
    readers = {module for module in _core_modules() if _reads_settings_ambiently(ROOT / module)}
    assert readers - NOT_YET_PASSED_IN == set(), "pass these settings in from the entry point"
    assert NOT_YET_PASSED_IN - readers == set(), "these no longer read settings: drop them from NOT_YET_PASSED_IN"


def test_the_check_sees_an_ambient_read(tmp_path: Path):
    module = tmp_path / "reader.py"
    module.write_text("from rris.context import current_clock, current_settings\n", encoding="utf-8")
    assert _reads_settings_ambiently(module)
    module.write_text("from rris.settings import Settings\n", encoding="utf-8")
    assert not _reads_settings_ambiently(module)
