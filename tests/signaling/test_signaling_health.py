"""The signaling service answers its health probe, in process and as `python -m signaling`."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from aiohttp.test_utils import TestClient, TestServer

from rris.settings import Settings
from signaling.app import create_signaling_app
from tests.support.ports import free_port, http_status, poll_until
from tests.support.scheduler import migrate_database

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_ok(tmp_path: Path) -> None:
    settings = Settings.from_env({"RRIS_ENV": "test", "RRIS_INSTANCE_PATH": str(tmp_path)})

    async def get_health() -> tuple[int, dict[str, str]]:
        async with TestClient(TestServer(create_signaling_app(settings), host="127.0.0.1")) as client:
            response = await client.get("/healthz")
            return response.status, await response.json()

    assert asyncio.run(get_health()) == (200, {"status": "ok", "service": "signaling"})


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_process_serves_health_and_stops_cleanly_on_signal(tmp_path: Path, signum: signal.Signals) -> None:
    port = free_port()
    env = {key: value for key, value in os.environ.items() if not key.startswith("RRIS_")}
    env.update(RRIS_ENV="test", RRIS_INSTANCE_PATH=str(tmp_path), RRIS_HOST="127.0.0.1", RRIS_SIGNALING_PORT=str(port))
    migrate_database(f"sqlite:///{tmp_path / 'rris.sqlite3'}", tmp_path)
    log = tmp_path / "signaling.log"
    with log.open("wb") as output:
        process = subprocess.Popen([sys.executable, "-m", "signaling"], cwd=ROOT, env=env, stdout=output, stderr=output)
    try:
        assert poll_until(
            lambda: http_status(f"http://127.0.0.1:{port}/healthz") == 200 or process.poll() is not None, timeout=30
        ), log.read_text()
        assert process.poll() is None, log.read_text()
        process.send_signal(signum)
        assert process.wait(timeout=10) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


def test_an_unmigrated_database_is_refused_with_a_sentence(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("RRIS_")}
    env.update(RRIS_ENV="test", RRIS_INSTANCE_PATH=str(tmp_path), RRIS_SIGNALING_PORT=str(free_port()))
    result = subprocess.run(
        [sys.executable, "-m", "signaling"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "not at the newest migration" in result.stderr
