"""The browser test bench works: two Chromium users inside a test namespace open a page served
there, call each other with the fake camera, and each receives the other's video.

Nothing here is RRIS: the page is the test's own. It proves the namespace, the browser launched
into it over a pipe, getUserMedia on http://127.0.0.1 and host candidates on the veth pair.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.support.netns import Netns
from tests.support.ports import poll_until

pytestmark = pytest.mark.browser

PAGE_PORT = 8000
CONNECT_TIMEOUT_SECONDS = 10.0
VIDEO_TIMEOUT_SECONDS = 5.0

# One peer per page. The test process carries offer, answer and trickled candidates between them.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>WebRTC smoke</title></head>
<body>
<h1 id="who"></h1>
<figure style="display:inline-block"><video id="local" autoplay muted playsinline width="320" height="240">
</video><figcaption>local camera</figcaption></figure>
<figure style="display:inline-block"><video id="remote" autoplay muted playsinline width="320" height="240">
</video><figcaption>received from the other user</figcaption></figure>
<script>
let pc;
const outbox = [];
async function start(name) {
  document.getElementById("who").textContent = name;
  const stream = await navigator.mediaDevices.getUserMedia({audio: true, video: {width: 320, height: 240}});
  document.getElementById("local").srcObject = stream;
  pc = new RTCPeerConnection({iceServers: []});
  stream.getTracks().forEach((track) => pc.addTrack(track, stream));
  pc.onicecandidate = (event) => { if (event.candidate) outbox.push(event.candidate.toJSON()); };
  pc.ontrack = (event) => { document.getElementById("remote").srcObject = event.streams[0]; };
}
async function offer() {
  await pc.setLocalDescription(await pc.createOffer());
  return pc.localDescription.toJSON();
}
async function answer(description) {
  await pc.setRemoteDescription(description);
  await pc.setLocalDescription(await pc.createAnswer());
  return pc.localDescription.toJSON();
}
async function accept(description) { await pc.setRemoteDescription(description); }
function takeCandidates() { return outbox.splice(0); }
async function addCandidates(candidates) { for (const c of candidates) await pc.addIceCandidate(c); }
async function videoBytesReceived() {
  let total = 0;
  (await pc.getStats()).forEach((s) => {
    if (s.type === "inbound-rtp" && s.kind === "video") total += s.bytesReceived;
  });
  return total;
}
</script>
</body></html>
"""


def test_two_chromium_users_in_a_namespace_connect_and_receive_each_others_video(
    netns: Netns, chromium: Browser, artifacts: Path, tmp_path: Path
) -> None:
    started = time.monotonic()
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text(PAGE)
    netns.popen(
        [sys.executable, "-m", "http.server", "--bind", "127.0.0.1", "--directory", site, str(PAGE_PORT)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    page_url = f"http://127.0.0.1:{PAGE_PORT}/"
    assert poll_until(lambda: netns.http_status(page_url) == 200, timeout=10)

    caller, callee = chromium.new_context().new_page(), chromium.new_context().new_page()
    for page, name in ((caller, "caller"), (callee, "callee")):
        page.goto(page_url)
        page.evaluate("name => start(name)", name)

    offer = caller.evaluate("offer()")
    caller.evaluate("d => accept(d)", callee.evaluate("d => answer(d)", offer))
    assert poll_until(lambda: trickle(caller, callee) == ("connected", "connected"), CONNECT_TIMEOUT_SECONDS), (
        connection_states(caller, callee)
    )
    connected_after = time.monotonic() - started

    for page in (caller, callee):
        first = page.evaluate("videoBytesReceived()")
        assert poll_until(lambda page=page, first=first: page.evaluate("videoBytesReceived()") > first, 5)
        assert page.evaluate("videoBytesReceived()") > 0
        page.wait_for_function("document.getElementById('remote').videoWidth > 0", timeout=VIDEO_TIMEOUT_SECONDS * 1000)
        candidate = page.evaluate("pc.localDescription.sdp")
        assert netns.address in candidate or netns.peer_address in candidate  # host candidates on the veth pair
    caller.screenshot(path=artifacts / "caller.png")
    callee.screenshot(path=artifacts / "callee.png")
    print(f"connected after {connected_after:.2f} s, video flowing after {time.monotonic() - started:.2f} s")


def trickle(caller: Page, callee: Page) -> tuple[str, str]:
    """Carry new candidates each way once; return both connection states."""
    for source, target in ((caller, callee), (callee, caller)):
        candidates = source.evaluate("takeCandidates()")
        if candidates:
            target.evaluate("c => addCandidates(c)", candidates)
    return connection_states(caller, callee)


def connection_states(caller: Page, callee: Page) -> tuple[str, str]:
    """Both pages' RTCPeerConnection.connectionState."""
    return caller.evaluate("pc.connectionState"), callee.evaluate("pc.connectionState")
