"""Debian's headless Chromium inside a test namespace, driven by playwright over a pipe.

    def test_call(netns, chromium, artifacts):
        officer = chromium.new_context().new_page()       # one context per person
        interpreter = chromium.new_context().new_page()
        officer.goto("http://127.0.0.1:5000/")            # a server running in `netns`
        officer.screenshot(path=artifacts / "officer.png")

Playwright starts the browser with `--remote-debugging-pipe` (no port), so a wrapper script that
execs `ip netns exec <ns> /usr/bin/chromium "$@"` puts the browser inside the namespace while
the test process stays outside. Never `playwright install`: it downloads a browser.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.support.netns import Netns

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"  # `make clean` removes it; git ignores it
LAUNCH_TIMEOUT_MS = 30_000
CHROMIUM_FLAGS: tuple[str, ...] = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # A fake camera and microphone, granted without a prompt; media plays without a click.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
    "--autoplay-policy=no-user-gesture-required",
)


def chromium_unavailable_reason() -> str | None:
    """Why Chromium cannot run here, or None when it can."""
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing; run scripts/ensure_system_packages.sh as root"
    return None


@contextmanager
def chromium_in(netns: Netns, workdir: Path) -> Iterator[Browser]:
    """A launched headless Chromium whose network is `netns`; closed (and its processes gone) on exit.

    Each `browser.new_context()` is a separate person: its own cookies, storage and profile.
    `workdir` holds the wrapper script."""
    with chromiums_in(netns, workdir, 1) as (browser,):
        yield browser


@contextmanager
def chromiums_in(netns: Netns, workdir: Path, count: int, args: tuple[str, ...] = ()) -> Iterator[list[Browser]]:
    """`count` separate Chromium processes in `netns` (people on different machines), launched with
    CHROMIUM_FLAGS and `args`; all closed on exit. `workdir` holds the wrapper script."""
    reason = chromium_unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    wrapper = workdir / f"chromium-in-{netns.name}"
    wrapper.write_text(f'#!/bin/sh\nexec ip netns exec {netns.name} {CHROMIUM} "$@"\n')
    wrapper.chmod(0o755)
    # One playwright per thread: its sync API cannot be nested, but it drives many browsers.
    with sync_playwright() as playwright, ExitStack() as closing:
        browsers = []
        for _ in range(count):
            browser = playwright.chromium.launch(
                executable_path=wrapper, args=[*CHROMIUM_FLAGS, *args], timeout=LAUNCH_TIMEOUT_MS
            )
            closing.callback(browser.close)
            browsers.append(browser)
        yield browsers


@pytest.fixture
def chromium(netns: Netns, tmp_path: Path) -> Iterator[Browser]:
    """Chromium inside the test's `netns`; skips when Chromium is not installed."""
    reason = chromium_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with chromium_in(netns, tmp_path) as browser:
        yield browser


def artifacts_dir(test_name: str) -> Path:
    """An empty `test-artifacts/<test name>/` at the repository root for screenshots and logs."""
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "_", test_name).strip("_")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


@pytest.fixture
def artifacts(request: pytest.FixtureRequest) -> Path:
    """`test-artifacts/<this test's name>/`, emptied first; kept after the run for people to look at."""
    return artifacts_dir(request.node.name)
