"""A call that is happening now, in the several-nodes topology, for real browsers: nginx over TLS
in front of the portal and two signalling nodes sharing one Redis, all inside a test namespace.

    with nodes_call_world(netns, tmp_path) as world, chromiums_in(netns, tmp_path, 2, (world.trust_flag,)) as browsers:
        sign_in(page, world.call, world.call.officer)     # https://127.0.0.1:8443, through nginx
        page.goto(world.call.portal.url(world.call.call_path))
        world.room_hosts()      # ["node-a"]: the node Redis names as hosting the call's room
        world.sockets_held()    # {"node-a": 1, "node-b": 1}: the pages' WebSockets each node holds

Every page reaches the nodes as in production: its call page is given the one signalling address
(RRIS_SIGNALING_PUBLIC_URL, nginx) and nginx's upstream spreads the WebSockets over the nodes
(round robin, no sticky sessions). Redis and nginx are the deployment's own throwaway servers
(`deploy.local`), started from a thread inside the namespace so that they listen there (the
`redis_server` fixture's is on the machine's loopback, which the namespace cannot reach).
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from redis import Redis

from deploy.local.nginx import LocalNginx
from deploy.local.redis import LocalRedis
from deploy.local.tls import Certificate, make_loopback_certificate
from deploy.nginx_site import Site
from signaling.nodes import ROOM_KEY
from tests.support.call_world import CallWorld, seed_call_now
from tests.support.netns import Netns
from tests.support.services import ROOT, Service, service_env, start_portal, start_signaling

HOST = "127.0.0.1"
NGINX_PORT = 8443
NODE_PORTS = {"node-a": 8765, "node-b": 8766}  # in nginx's upstream in this order


@dataclass
class NodesCallWorld:
    """The call's world (its portal as people reach it: through nginx), and what stands behind it."""

    call: CallWorld
    nodes: dict[str, Service]  # node id -> the node's process
    redis: LocalRedis
    nginx: LocalNginx
    certificate: Certificate

    @property
    def trust_flag(self) -> str:
        """The Chromium flag that accepts nginx's self-signed certificate by its public key, as a
        person who trusts its file would; any other certificate error stays an error."""
        certificate = x509.load_pem_x509_certificate(self.certificate.certificate.read_bytes())
        spki = certificate.public_key().public_bytes(Encoding.DER, PublicFormat.SubjectPublicKeyInfo)
        return f"--ignore-certificate-errors-spki-list={base64.b64encode(hashlib.sha256(spki).digest()).decode()}"

    def room_hosts(self) -> list[str]:
        """The node hosting each room Redis knows of (a room is claimed by the first node a page reaches)."""

        def read() -> list[str]:
            with Redis.from_url(self.redis.url, decode_responses=True) as client:
                return [client.get(key) or "" for key in client.scan_iter(match=ROOM_KEY + "*")]

        return self.call.netns.inside(read)

    def sockets_held(self) -> dict[str, int]:
        """How many WebSockets (open TCP connections from nginx) each node holds now."""
        return {node: len(self._established(port)) for node, port in NODE_PORTS.items()}

    def _established(self, port: int) -> list[str]:
        result = self.call.netns.run(
            ["ss", "-Htn", "state", "established", f"( sport = :{port} )"], capture_output=True, text=True, check=True
        )
        output: str = result.stdout
        return output.splitlines()


@contextmanager
def nodes_call_world(netns: Netns, workdir: Path) -> Iterator[NodesCallWorld]:
    """Redis, the portal, nodes "node-a" and "node-b" and nginx in `netns`, on a fresh database
    holding a booking whose call is open now; nginx and Redis stop on exit (the rest with `netns`)."""
    with ExitStack() as stack:
        yield _start(netns, workdir, stack)


def _start(netns: Netns, workdir: Path, stack: ExitStack) -> NodesCallWorld:
    public_url = f"https://{HOST}:{NGINX_PORT}"
    redis = netns.inside(lambda: LocalRedis(workdir / "redis").start())
    stack.callback(redis.stop)
    env = service_env(
        workdir,
        RRIS_PUBLIC_URL=public_url,  # the pages' Origin, which every node checks
        RRIS_SIGNALING_PUBLIC_URL=f"wss://{HOST}:{NGINX_PORT}",
        RRIS_SIGNALING_REDIS_URL=redis.url,
        RRIS_TRUSTED_PROXIES="1",
        RRIS_LOG_LEVEL="WARNING",
    )
    portal = start_portal(netns, workdir, env)  # migrates the database first
    with ThreadPoolExecutor(max_workers=len(NODE_PORTS)) as starting:  # each waits for its /healthz
        starts = {
            node: starting.submit(
                start_signaling,
                netns,
                workdir,
                {**env, "RRIS_SIGNALING_PORT": str(port), "RRIS_SIGNALING_NODE_ID": node},
                name=node,
            )
            for node, port in NODE_PORTS.items()
        }
        booking_id, officer, interpreter = seed_call_now(env)
        nodes = {node: start.result() for node, start in starts.items()}
    certificate = make_loopback_certificate(workdir / "tls")
    site = Site(
        server_name=HOST,
        listen=f"{HOST}:{NGINX_PORT}",
        certificate=certificate.certificate,
        certificate_key=certificate.key,
        static_root=ROOT / "static",
        portal=(f"{HOST}:{env['RRIS_PORT']}",),
        signaling=tuple(f"{HOST}:{port}" for port in NODE_PORTS.values()),
        snippets=workdir / "nginx" / "snippets",
        redirect_http=False,
    )
    nginx = netns.inside(lambda: LocalNginx(workdir / "nginx", site).start())
    stack.callback(nginx.stop)
    through_nginx = dataclasses.replace(portal, base_url=public_url)
    call = CallWorld(netns, workdir, env, through_nginx, nodes["node-a"], booking_id, officer, interpreter)
    stack.callback(call.close)  # this process's database connections
    return NodesCallWorld(call, nodes, redis, nginx, certificate)
