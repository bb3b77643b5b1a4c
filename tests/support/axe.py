"""axe-core and a narrow viewport in a playwright page, through the Chromium DevTools protocol.

    inspector = PageInspector(page)           # one per page; survives navigations
    inspector.narrow(390)                     # Emulation.setDeviceMetricsOverride
    page.goto(url)
    inspector.violations()                    # axe's critical and serious findings, and ids used twice
    inspector.scroll_width()                  # document.documentElement.scrollWidth

axe-core comes from node_modules (pinned in package.json; `make test` runs `npm ci` first). Its
text is handed to Chromium once per page, as a script DevTools runs in every new document
(`Page.addScriptToEvaluateOnNewDocument`): sending its 650 kB with `Runtime.evaluate` after every
navigation cost about 150 ms a page. Either way the page's Content-Security-Policy applies to the
page's own scripts only and needs no loosening for the test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from playwright.sync_api import CDPSession, Page

ROOT = Path(__file__).resolve().parents[2]
AXE_SCRIPT = ROOT / "node_modules" / "axe-core" / "axe.min.js"
BLOCKING_IMPACTS = ("critical", "serious")
DESKTOP_WIDTH, DESKTOP_HEIGHT = 1280, 900
PHONE_HEIGHT = 844  # an iPhone 12-14's 390 x 844 CSS pixels

# axe's violations reduced to what a person fixes: the rule, how bad, and where (a few selectors).
_RUN_AXE = """
axe.run(document, {resultTypes: ["violations"]}).then(results => JSON.stringify(
  results.violations
    .filter(v => IMPACTS.includes(v.impact))
    .map(v => ({rule: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 5).map(n => n.target.join(" "))}))
))
""".replace("IMPACTS", json.dumps(list(BLOCKING_IMPACTS)))
# Ids a document uses more than once (a label, an aria reference or a link then finds the wrong
# element). Hidden inputs are left out: nothing points at them (each form's CSRF token is one).
_DUPLICATE_IDS = """
JSON.stringify(Object.entries(
  Array.from(document.querySelectorAll("[id]:not(input[type=hidden])"))
    .reduce((seen, e) => (seen[e.id] = (seen[e.id] || 0) + 1, seen), {})
).filter(([, count]) => count > 1).map(([id]) => id))
"""


def axe_unavailable_reason() -> str | None:
    """Why axe-core cannot be loaded, or None when it can."""
    if not AXE_SCRIPT.exists():
        return f"{AXE_SCRIPT.relative_to(ROOT)} is missing; run `npm ci` (make test does)"
    return None


@dataclass(frozen=True)
class Violation:
    """One axe rule broken on one page (or an id used twice there)."""

    page: str
    rule: str
    impact: str
    help: str
    nodes: tuple[str, ...]

    def __str__(self) -> str:
        return f"{self.page}: {self.rule} ({self.impact}) {self.help} at {', '.join(self.nodes)}"


class PageInspector:
    """A DevTools session on one page: viewport, axe, overflow."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.cdp: CDPSession = page.context.new_cdp_session(page)
        self._axe = AXE_SCRIPT.read_text()
        self.cdp.send("Page.enable")  # without it Chromium keeps the script but never runs it
        self.cdp.send("Page.addScriptToEvaluateOnNewDocument", {"source": self._axe})

    def evaluate(self, expression: str, await_promise: bool = False) -> Any:
        """The value of `expression` in the page's main world; raises on a script exception."""
        answer = self.cdp.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": await_promise},
        )
        if "exceptionDetails" in answer:
            raise RuntimeError(f"{self.page.url}: {answer['exceptionDetails']}")
        return answer["result"].get("value")

    def resize(self, width: int, height: int) -> None:
        """Lay the page out on a screen `width` x `height` CSS pixels, as a phone or a desktop would."""
        mobile = width < DESKTOP_WIDTH
        self.cdp.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile},
        )

    def scroll_width(self) -> int:
        """How wide the document is; wider than the viewport means the page scrolls sideways."""
        return int(self.evaluate("document.documentElement.scrollWidth"))

    def violations(self, label: str) -> list[Violation]:
        """axe-core's critical and serious violations on the page as it is now, and every id used twice."""
        if not self.evaluate("typeof window.axe === 'object'"):  # a document opened before this inspector
            self.evaluate(self._axe)
        found = [
            Violation(label, item["rule"], item["impact"], item["help"], tuple(item["nodes"]))
            for item in json.loads(self.evaluate(_RUN_AXE, await_promise=True))
        ]
        found += [
            Violation(label, "duplicate-id", "serious", "ids must be unique", (f"#{name}",))
            for name in json.loads(self.evaluate(_DUPLICATE_IDS))
        ]
        return found
