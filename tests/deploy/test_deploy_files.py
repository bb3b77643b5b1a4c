"""The files for real machines (deploy/) are checked by the tools that will read them: systemd's
own verifier on the units, `nginx -t` on the rendered site, coturn on its configuration, and the
portal's settings on the environment file."""

from __future__ import annotations

import configparser
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from deploy.local.coturn import answers_stun
from deploy.local.nginx import LocalNginx
from deploy.local.ports import free_port, poll_until
from deploy.local.tls import make_loopback_certificate
from deploy.nginx_site import Site, render_site
from rris.environment_variables import VARIABLES
from rris.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = sorted((DEPLOY / "systemd").glob("*.service"))
# Where the units expect the release and its virtualenv on a real host.
RELEASE, VENV = "/opt/rris/current", "/opt/rris/venv"
SERVICES_READING = {"RRIS_": "every RRIS process", "WEB_CONCURRENCY": "gunicorn"}


def env_file(name: str) -> dict[str, str]:
    lines = (DEPLOY / "env" / name).read_text().splitlines()
    return dict(line.split("=", 1) for line in lines if line and not line.startswith("#"))


def test_every_unit_passes_systemd_analyze_verify(tmp_path: Path) -> None:
    """Run where the release would be: this checkout and its virtualenv stand in for /opt/rris."""
    verifier = shutil.which("systemd-analyze")
    if verifier is None:
        pytest.skip("systemd-analyze is missing; test_every_unit_runs_a_program_of_the_release checks the rest")
    venv = Path(sys.prefix)
    for unit in UNITS:
        text = unit.read_text().replace(RELEASE, str(ROOT)).replace(VENV, str(venv))
        (tmp_path / unit.name).write_text(text)
    result = subprocess.run(
        [verifier, "verify", *(str(tmp_path / unit.name) for unit in UNITS)],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    # A bad value is only a warning to systemd (exit 0): any word from it is a failure here.
    assert result.returncode == 0 and not result.stdout.strip() and not result.stderr.strip(), result.stderr


def test_every_unit_runs_a_program_of_the_release_with_the_shared_environment() -> None:
    assert {unit.stem for unit in UNITS} == {"rris-portal", "rris-signaling", "rris-scheduler", "rris-migrate"}
    for unit in UNITS:
        parsed = configparser.ConfigParser(strict=False, interpolation=None)
        parsed.optionxform = str  # type: ignore[assignment,method-assign]
        parsed.read_string(unit.read_text())
        service = parsed["Service"]
        program, *args = service["ExecStart"].split()
        assert program.startswith(f"{VENV}/bin/") and (Path(sys.prefix) / "bin" / Path(program).name).exists()
        assert service["WorkingDirectory"] == RELEASE and service["User"] == "rris"
        assert "\nEnvironmentFile=/etc/rris/rris.env\n" in unit.read_text()
        if "-m" in args:
            module = args[args.index("-m") + 1]
            assert (ROOT / module / "__main__.py").exists(), module
        if "-c" in args:
            assert (ROOT / args[args.index("-c") + 1]).exists()


def production_site(tmp_path: Path) -> Site:
    certificate = make_loopback_certificate(tmp_path / "tls")
    return Site(
        server_name="rris.example.org",
        listen="443",
        certificate=certificate.certificate,
        certificate_key=certificate.key,
        static_root=ROOT / "static",
        portal=("10.0.1.11:8000", "10.0.1.12:8000"),
        signaling=("10.0.1.21:8765", "10.0.1.22:8765"),
        snippets=tmp_path / "nginx" / "snippets",
    )


def test_the_nginx_site_of_a_real_deployment_passes_nginx_t(tmp_path: Path) -> None:
    site = production_site(tmp_path)
    nginx = LocalNginx(tmp_path / "nginx", site)
    nginx.write_configuration()
    report = nginx.test_configuration()  # nginx -t parses; it binds nothing and connects nowhere
    assert "syntax is ok" in report and "test is successful" in report
    text = render_site(site)
    assert "return 301 https://$host$request_uri;" in text
    assert re.findall(r"location = (\S+) \{\n\s+include", text) == ["/calls/ws", "/ondemand/ws", "/phone/stream"]
    assert text.count("max_fails=2") == 4  # two portals, two signalling nodes
    assert "hash" not in text and "sticky" not in text  # a page may reach any signalling node


def test_the_site_command_prints_the_same_site(tmp_path: Path) -> None:
    site = production_site(tmp_path)
    options = ["--server-name", site.server_name, "--certificate", str(site.certificate),
               "--certificate-key", str(site.certificate_key), "--static-root", str(site.static_root),
               "--portal", site.portal[0], "--portal", site.portal[1],
               "--signaling", site.signaling[0], "--signaling", site.signaling[1],
               "--snippets", str(site.snippets)]  # fmt: skip
    command = [sys.executable, "-m", "deploy.nginx_site", *options]
    printed = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=True, timeout=60).stdout
    assert printed == render_site(site)
    wrong = [option if option != site.portal[1] else "10.0.1.12" for option in command]
    refused = subprocess.run(wrong, cwd=ROOT, capture_output=True, text=True, check=False, timeout=60)
    assert refused.returncode == 2 and "not a host:port: '10.0.1.12'" in refused.stderr


def test_the_coturn_configuration_is_read_by_turnserver_and_relays_only_to_public_peers(tmp_path: Path) -> None:
    conf = (DEPLOY / "coturn" / "turnserver.conf").read_text()
    assert "allow-loopback-peers" not in conf.replace("(no allow-loopback-peers, ever)", "")
    for private in ("10.0.0.0-", "127.0.0.0-", "169.254.0.0-", "172.16.0.0-", "192.168.0.0-", "::1"):
        assert f"denied-peer-ip={private}" in conf
    if shutil.which("turnserver") is None:
        pytest.skip("turnserver (coturn) is missing; run scripts/ensure_system_packages.sh as root")
    # The same file on loopback: this host's address, free ports, a certificate that exists.
    certificate, port = make_loopback_certificate(tmp_path / "tls"), free_port()
    local = {
        "listening-ip": "127.0.0.1", "relay-ip": "127.0.0.1", "listening-port": str(port),
        "tls-listening-port": str(free_port()), "cert": str(certificate.certificate),
        "pkey": str(certificate.key), "log-file": "stdout",
    }  # fmt: skip
    for option, value in local.items():
        conf = re.sub(rf"^{option}=.*$", f"{option}={value}", conf, flags=re.M)
    (tmp_path / "turnserver.conf").write_text(conf)
    command = ["turnserver", "-c", str(tmp_path / "turnserver.conf"), f"--pidfile={tmp_path / 'pid'}",
               f"--userdb={tmp_path / 'turndb'}"]  # fmt: skip
    with (tmp_path / "log").open("wb") as log:
        server = subprocess.Popen(command, cwd=tmp_path, stdout=log, stderr=subprocess.STDOUT)
    try:
        assert poll_until(lambda: answers_stun("127.0.0.1", port), 10), (tmp_path / "log").read_text()
    finally:
        server.terminate()
        server.wait(timeout=10)
    said = (tmp_path / "log").read_text()
    assert "Bad configuration format" not in said and "cannot find" not in said, said


def test_the_environment_example_is_a_production_configuration_the_portal_accepts() -> None:
    shared = env_file("rris.env.example")
    known = {variable.name for variable in VARIABLES}
    for name in {**shared, **env_file("signaling.env.example"), **env_file("portal.env.example")}:
        assert name in known or name == "WEB_CONCURRENCY", f"{name} is read by nothing"
    # Each secret its own value, as the comment in the file asks.
    filled = {name: value.replace("CHANGE", f"{name.lower()}-0123456789-abcdefghij") for name, value in shared.items()}
    settings = Settings.from_env(filled)
    assert settings.env == "production" and settings.secure_cookies and settings.trusted_proxies == 1
    assert settings.signaling_public_url == "wss://rris.example.org"


def test_a_signalling_host_read_with_its_own_file_joins_the_others_through_redis() -> None:
    shared = env_file("rris.env.example")
    node = {**shared, **env_file("signaling.env.example")}
    filled = {name: value.replace("CHANGE", f"{name.lower()}-0123456789-abcdefghij") for name, value in node.items()}
    settings = Settings.from_env(filled)
    assert settings.signaling_redis_url.startswith("redis://") and settings.signaling_node_id == "signaling-1"
    assert settings.signaling_port == 8765
