"""nginx as a plain process on 127.0.0.1 with RRIS's site, for `make cluster` and the tests.

Everything it writes (pid, logs, temporary files) stays in its working folder; the site is the
one a real deployment renders (deploy.nginx_site), around a minimal main configuration in place
of Debian's /etc/nginx/nginx.conf.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
from pathlib import Path

from deploy.local.ports import poll_until
from deploy.local.process import LocalProcess
from deploy.nginx_site import WEBSOCKET_SNIPPET, Site, render_site

NGINX = "/usr/sbin/nginx"
MIME_TYPES = Path("/etc/nginx/mime.types")
READY_TIMEOUT_SECONDS = 10.0


class NginxUnavailable(RuntimeError):
    """nginx is not installed, refuses the configuration, or would not start; the message says why."""


class LocalNginx(LocalProcess):
    """nginx in the foreground (`daemon off`) serving `site`; `stop()` ends it."""

    # SIGQUIT lets nginx finish the requests it holds; it may take longer than a plain server.
    stop_signal = signal.SIGQUIT
    stop_timeout_seconds = 10.0

    def __init__(self, workdir: Path, site: Site) -> None:
        self.workdir = workdir
        self.site = site
        self.log = self.error_log = workdir / "error.log"
        self.port = int(site.listen.rpartition(":")[2])
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def pid(self) -> int:
        """The master process's id."""
        if self._process is None:
            raise RuntimeError("LocalNginx is not started")
        return self._process.pid

    def write_configuration(self) -> Path:
        """Write the site, its snippet and the main configuration; returns the main file."""
        binary()
        for folder in ("snippets", "temp"):
            (self.workdir / folder).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(WEBSOCKET_SNIPPET, self.workdir / "snippets" / WEBSOCKET_SNIPPET.name)
        (self.workdir / "site.conf").write_text(render_site(self.site))
        main = self.workdir / "nginx.conf"
        main.write_text(main_configuration(self.workdir))
        return main

    def test_configuration(self) -> str:
        """`nginx -t` on the written configuration; its report, or NginxUnavailable with it."""
        result = subprocess.run([*self._command(), "-t"], capture_output=True, text=True, check=False, cwd=self.workdir)
        if result.returncode != 0:
            raise NginxUnavailable(f"nginx -t refused the configuration:\n{result.stderr}")
        return result.stderr

    def start(self) -> LocalNginx:
        """Write and check the configuration, start nginx and wait until it accepts connections."""
        if self._process is not None:
            return self
        self.write_configuration()
        self.test_configuration()
        with (self.workdir / "nginx.out").open("ab") as output:
            self._process = subprocess.Popen(self._command(), cwd=self.workdir, stdout=output, stderr=subprocess.STDOUT)
        host, _, port = self.site.listen.rpartition(":")
        if not poll_until(lambda: self._exited() or _accepts(host or "127.0.0.1", int(port)), READY_TIMEOUT_SECONDS):
            self.stop()
            raise NginxUnavailable(f"nginx did not start:\n{self.log_text()}")
        if self._exited():
            raise NginxUnavailable(f"nginx exited at start:\n{self.log_text()}")
        return self

    def _command(self) -> list[str]:
        return [
            binary(), "-p", str(self.workdir), "-e", str(self.error_log),
            "-c", str(self.workdir / "nginx.conf"), "-g", "daemon off;",
        ]  # fmt: skip

    def __enter__(self) -> LocalNginx:
        return self.start()


def binary() -> str:
    """The nginx executable, or NginxUnavailable saying how to install it."""
    if not os.access(NGINX, os.X_OK):
        raise NginxUnavailable("nginx is missing; run scripts/ensure_system_packages.sh as root")
    return NGINX


def main_configuration(workdir: Path) -> str:
    """The main nginx.conf around the site: one worker, every file in `workdir`."""
    temp = workdir / "temp"
    # As root, nginx's workers would become `nobody` and could not read the working tree.
    user = "user root;\n" if os.geteuid() == 0 else ""
    return f"""{user}worker_processes 1;
pid {workdir / "nginx.pid"};
error_log {workdir / "error.log"} warn;
events {{
    worker_connections 512;
}}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    access_log {workdir / "access.log"};
    sendfile on;
    client_body_temp_path {temp / "body"};
    proxy_temp_path {temp / "proxy"};
    fastcgi_temp_path {temp / "fastcgi"};
    uwsgi_temp_path {temp / "uwsgi"};
    scgi_temp_path {temp / "scgi"};
    include {workdir / "site.conf"};
}}
"""


def _accepts(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False
