"""Join to first frame: Chromium to Chromium through the portal and the signalling service.

Everything runs inside one network namespace this benchmark creates (root): the portal and
`python -m signaling` as subprocesses on a fresh SQLite database holding a booking whose call
is open now (real clock), and Debian's headless Chromium with its fake camera. Media goes peer to
peer over the namespace's veth pair; nothing leaves the namespace.

Each run uses two fresh browser contexts, signed in beforehand (the officer's and the
interpreter's saved sign-in). The officer opens the call page and waits in the call; then the
interpreter opens it. Measured, in the browser's own clock:

    from the interpreter's navigation to the call page (its `performance.timeOrigin`, the moment
    "Join" is followed)
    until both pages have presented the first decoded frame of the other's video
    (`requestVideoFrameCallback` on the remote tile's <video>, its `presentationTime`).

It covers the page load, getUserMedia, the WebSocket join with its ticket, offer/answer and ICE
through the service, DTLS and the first key frame. `connected` is the same span up to the
interpreter page showing "connected". Both pages then press Leave and the contexts are closed;
the next run's pages get new tickets. The first run warms the caches up and is not counted.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, Page

from benchmarks.report import Reporter, percentile
from tests.support.call_world import CallWorld, sign_in, start_call_world
from tests.support.chromium import chromium_in, chromium_unavailable_reason
from tests.support.netns import Netns, unavailable_reason

BENCH = "call_chromium"
FULL_CHROMIUM_RUNS = 10
QUICK_CHROMIUM_RUNS = 2
WARMUPS = 1
AIM_P50_MS = 1500.0
FRAME_TIMEOUT_SECONDS = 15.0
STEP_TIMEOUT_MS = 15_000
POLL_SECONDS = 0.05

# Installed in every page before its own scripts: marks (epoch milliseconds, the browser's clock)
# when the first remote video frame was presented and when the call first showed "connected".
MARKS_SCRIPT = """
(() => {
  const marks = { firstFrame: null, connected: null };
  window.__rrisBench = marks;
  const watched = new WeakSet();
  function watch(video) {
    if (watched.has(video) || !video.requestVideoFrameCallback) return;
    watched.add(video);
    video.requestVideoFrameCallback((now, frame) => {
      if (marks.firstFrame === null) marks.firstFrame = performance.timeOrigin + (frame.presentationTime || now);
    });
  }
  new MutationObserver(() => {
    document.querySelectorAll("#call-tiles > li.call-tile:not(#local-tile) video").forEach(watch);
    const status = document.getElementById("call-status");
    if (marks.connected === null && status && status.dataset.state === "connected") {
      marks.connected = performance.timeOrigin + performance.now();
    }
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ["data-state"] });
})();
"""
READ_MARKS = "() => ({ origin: performance.timeOrigin, ...window.__rrisBench })"


def skip_reason() -> str | None:
    """Why this benchmark cannot run here (not root, no `ip`, no Chromium), or None."""
    return unavailable_reason() or chromium_unavailable_reason()


def run_chromium_join(reporter: Reporter, runs: int) -> None:
    """Time `runs` call starts between two Chromium pages (after one warm-up); report p50/p95/max."""
    reason = skip_reason()
    if reason:
        reporter.emit(BENCH, "skipped", 1, "flag", reason=reason)
        return
    with tempfile.TemporaryDirectory(prefix="rris-bench-chromium-") as folder, Netns() as netns:
        workdir = Path(folder)
        world = start_call_world(netns, workdir)
        with chromium_in(netns, workdir) as browser:
            signed_in = _signed_in(browser, world)
            samples = [_one_call(browser, world, signed_in) for _run in range(runs + WARMUPS)]
    first_frame = [frame for frame, _connected in samples[WARMUPS:]]
    connected = [connected for _frame, connected in samples[WARMUPS:]]
    size = {"data": {"runs": len(first_frame), "peers": 2}, "warmups": WARMUPS, "database": "sqlite"}
    definition = (
        "interpreter's navigation to the call page (officer already waiting in the call) until both pages "
        "presented the first remote video frame (requestVideoFrameCallback), fresh signed-in contexts each run"
    )
    reporter.emit(
        BENCH, "first_frame_p50", percentile(first_frame, 50), "ms", **size, aim=AIM_P50_MS, definition=definition
    )
    reporter.emit(BENCH, "first_frame_p95", percentile(first_frame, 95), "ms", **size)
    reporter.emit(BENCH, "first_frame_max", max(first_frame, default=0.0), "ms", **size)
    reporter.emit(BENCH, "connected_p50", percentile(connected, 50), "ms", **size)


def _signed_in(browser: Browser, world: CallWorld) -> tuple[dict[str, Any], dict[str, Any]]:
    """The officer's and the interpreter's saved sign-in (their cookies), each signed in once."""
    states = []
    for person in (world.officer, world.interpreter):
        context = browser.new_context()
        try:
            sign_in(context.new_page(), world, person)
            states.append(context.storage_state())
        finally:
            context.close()
    return states[0], states[1]


def _one_call(browser: Browser, world: CallWorld, states: tuple[dict[str, Any], dict[str, Any]]) -> tuple[float, float]:
    """(join to both first frames, join to connected) in milliseconds, for one call start."""
    officer_context, interpreter_context = (_context(browser, state) for state in states)
    try:
        officer, interpreter = officer_context.new_page(), interpreter_context.new_page()
        officer.goto(world.portal.url(world.call_path))
        officer.wait_for_selector('#call-status[data-state="waiting"]', timeout=STEP_TIMEOUT_MS)
        interpreter.goto(world.portal.url(world.call_path), wait_until="commit")
        officer_marks, interpreter_marks = _wait_for_frames(officer, interpreter)
        joined = float(interpreter_marks["origin"])  # JavaScript numbers that happen to be whole arrive as int
        first_frame = max(officer_marks["firstFrame"], interpreter_marks["firstFrame"]) - joined
        connected = (interpreter_marks["connected"] or interpreter_marks["firstFrame"]) - joined
        for page in (interpreter, officer):
            _leave(page)
        return first_frame, connected
    finally:
        officer_context.close()
        interpreter_context.close()


def _context(browser: Browser, state: dict[str, Any]) -> BrowserContext:
    """A fresh context (its own profile and media) signed in with `state`, marking first frames."""
    context = browser.new_context(storage_state=state)  # a saved sign-in: its cookies
    context.add_init_script(MARKS_SCRIPT)
    return context


def _wait_for_frames(officer: Page, interpreter: Page) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both pages' marks once each has presented a remote frame; RuntimeError after the timeout."""
    deadline = time.monotonic() + FRAME_TIMEOUT_SECONDS
    while True:
        marks = officer.evaluate(READ_MARKS), interpreter.evaluate(READ_MARKS)
        if all(mark.get("firstFrame") for mark in marks):
            return marks
        if time.monotonic() > deadline:
            states = officer.evaluate("rrisCall.state()"), interpreter.evaluate("rrisCall.state()")
            raise RuntimeError(
                f"no remote video frame within {FRAME_TIMEOUT_SECONDS} s: marks {marks}, states {states}"
            )
        time.sleep(POLL_SECONDS)


def _leave(page: Page) -> None:
    """Hang up (the service burns this page's ticket) and wait until the page says so."""
    page.click("#leave-call")
    page.wait_for_selector('#call-status[data-state="ended"]', timeout=STEP_TIMEOUT_MS)
