"""A real call in two headless Chromium processes whose pages land on different signalling nodes.

The deployment's topology inside a test namespace: nginx over TLS in front of the portal and of
two signalling nodes sharing one Redis. The officer and the interpreter, each in a Chromium of
their own, sign in through nginx and open the call page of one booking; nginx sends the
officer's WebSocket to node A, which claims the room, and the interpreter's to node B, which
only bridges her to node A through Redis. Both reach "connected" over an encrypted connection
and receive each other's (fake) camera; when the interpreter hangs up on node B, the officer on
node A sees it, and the call records both attendances. Screenshots and each page's console go to
test-artifacts/<test name>/.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.browser.test_call_in_chromium import (
    Screenshots,
    both_attended_from_browsers,
    in_call,
    last_notice,
    logged_pages,
    wait_state,
)
from tests.support.call_world import sign_in
from tests.support.chromium import chromium_unavailable_reason, chromiums_in
from tests.support.netns import Netns
from tests.support.nodes_call_world import NGINX_PORT, NodesCallWorld, nodes_call_world

pytestmark = pytest.mark.browser


@pytest.fixture
def world(netns: Netns, tmp_path: Path) -> Iterator[NodesCallWorld]:
    with nodes_call_world(netns, tmp_path) as world:
        yield world


@pytest.fixture
def pages(netns: Netns, world: NodesCallWorld, tmp_path: Path, artifacts: Path) -> Iterator[dict[str, Page]]:
    """The officer's page in one Chromium process, the interpreter's in another; both trust nginx."""
    reason = chromium_unavailable_reason()
    if reason:
        pytest.skip(reason)
    with (
        chromiums_in(netns, tmp_path, 2, (world.trust_flag,)) as (officers, interpreters),
        logged_pages({"officer": officers, "interpreter": interpreters}, artifacts) as pages,
    ):
        yield pages


def test_two_chromium_processes_on_different_signalling_nodes_hold_a_call(
    world: NodesCallWorld, pages: dict[str, Page], artifacts: Path
) -> None:
    started = time.monotonic()
    call, shot = world.call, Screenshots(artifacts)
    officer, interpreter = pages["officer"], pages["interpreter"]
    for page, person in ((officer, call.officer), (interpreter, call.interpreter)):
        sign_in(page, call, person)
        assert page.url.startswith(f"https://127.0.0.1:{NGINX_PORT}/")  # through nginx over TLS, as people come

    # nginx sends the officer's WebSocket to one node (round robin; node A when nothing came before).
    # That node claims the room.
    officer.goto(call.portal.url(call.call_path))
    wait_state(officer, "waiting")
    (host,) = world.room_hosts()
    other = ({"node-a", "node-b"} - {host}).pop()
    assert world.sockets_held() == {host: 1, other: 0}

    # The next socket goes to the other node (round robin): the interpreter's. It bridges her to the
    # room's host; the room stays there. Both pages are connected, encrypted, and each receives the
    # other's video (its bytes grow).
    interpreter.goto(call.portal.url(call.call_path))
    in_call(call, officer, interpreter)
    connected_after = time.monotonic() - started
    assert world.sockets_held() == {host: 1, other: 1}
    assert world.room_hosts() == [host]
    shot(officer, "01-officer-on-the-room-s-host-connected")
    shot(interpreter, "01-interpreter-on-the-other-node-connected")

    # Her hang-up travels from her node to the room's host: the officer sees it and waits alone.
    interpreter.click("#leave-call")
    wait_state(interpreter, "ended")
    wait_state(officer, "waiting")
    assert last_notice(officer) == "Interpreter · Mariam left the call."
    officer.click("#leave-call")
    wait_state(officer, "ended")
    both_attended_from_browsers(call)
    print(f"connected {connected_after:.1f} s after the test started; whole call {time.monotonic() - started:.1f} s")
