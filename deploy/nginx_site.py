"""nginx's site for RRIS, from deploy/nginx/rris.conf.in: `python -m deploy.nginx_site --help`.

    python -m deploy.nginx_site --server-name rris.example.org \\
        --portal 10.0.1.11:8000 --portal 10.0.1.12:8000 \\
        --signaling 10.0.1.21:8765 --signaling 10.0.1.22:8765 \\
        --certificate /etc/ssl/rris/fullchain.pem --certificate-key /etc/ssl/rris/key.pem \\
        --static-root /opt/rris/static > /etc/nginx/sites-available/rris

`make cluster` renders the same file for 127.0.0.1; a test checks both with `nginx -t`.
"""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import dataclass
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent / "nginx" / "rris.conf.in"
WEBSOCKET_SNIPPET = TEMPLATE.parent / "rris-websocket.conf"
DEBIAN_SNIPPETS = Path("/etc/nginx/snippets")
# A node that fails this many times in a row is left alone this long before nginx tries it again.
_UPSTREAM_HEALTH = "max_fails=2 fail_timeout=5s"
_PLACEHOLDER = re.compile(r"@[A-Z_]+@")


@dataclass(frozen=True)
class Site:
    """What differs between one deployment's nginx site and another's."""

    server_name: str
    listen: str  # "443", or "127.0.0.1:8443"
    certificate: Path
    certificate_key: Path
    static_root: Path
    portal: tuple[str, ...]  # host:port of each gunicorn process
    signaling: tuple[str, ...]  # host:port of each signalling node
    snippets: Path = DEBIAN_SNIPPETS  # where rris-websocket.conf is installed
    redirect_http: bool = True  # answer plain HTTP on port 80 with a redirect to HTTPS

    def __post_init__(self) -> None:
        if not self.portal or not self.signaling:
            raise ValueError("the site needs at least one portal process and one signalling node")
        for address in (*self.portal, *self.signaling):
            host, _, port = address.rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"not a host:port: {address!r}")


def render_site(site: Site) -> str:
    """The site's configuration text."""
    redirect = (
        "server {\n    listen 80;\n    server_name @SERVER_NAME@;\n    return 301 https://$host$request_uri;\n}\n"
        if site.redirect_http
        else ""
    )
    text = TEMPLATE.read_text().replace("@HTTP_REDIRECT@\n", redirect)
    values = {
        "PORTAL_SERVERS": _servers(site.portal),
        "SIGNALING_SERVERS": _servers(site.signaling),
        "LISTEN": site.listen,
        "SERVER_NAME": site.server_name,
        "CERTIFICATE": str(site.certificate),
        "CERTIFICATE_KEY": str(site.certificate_key),
        "STATIC_ROOT": str(site.static_root).rstrip("/"),
        "SNIPPETS": str(site.snippets),
    }
    for name, value in values.items():
        text = text.replace(f"@{name}@", value)
    leftover = _PLACEHOLDER.findall(text)
    if leftover:
        raise ValueError(f"placeholders left in the nginx site: {leftover}")
    return text


def _servers(addresses: tuple[str, ...]) -> str:
    return "\n".join(f"    server {address} {_UPSTREAM_HEALTH};" for address in addresses)


def main(argv: list[str] | None = None) -> int:
    """Print the site for the options given."""
    parser = argparse.ArgumentParser(prog="python -m deploy.nginx_site", description=__doc__.splitlines()[0])
    parser.add_argument("--server-name", required=True)
    parser.add_argument("--listen", default="443")
    parser.add_argument("--certificate", type=Path, required=True)
    parser.add_argument("--certificate-key", type=Path, required=True)
    parser.add_argument("--static-root", type=Path, required=True, help="the static/ folder of the release")
    parser.add_argument("--portal", action="append", required=True, help="host:port of a gunicorn (repeat)")
    parser.add_argument("--signaling", action="append", required=True, help="host:port of a signalling node")
    parser.add_argument("--snippets", type=Path, default=DEBIAN_SNIPPETS)
    args = parser.parse_args(argv)
    try:
        site = Site(
            args.server_name, args.listen, args.certificate, args.certificate_key, args.static_root,
            tuple(args.portal), tuple(args.signaling), args.snippets,
        )  # fmt: skip
    except ValueError as error:
        parser.error(str(error))
    sys.stdout.write(render_site(site))
    return 0


if __name__ == "__main__":
    sys.exit(main())
