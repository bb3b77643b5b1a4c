"""The portal's WSGI entry point as gunicorn's workers load it."""

import subprocess
import sys
from pathlib import Path

from tests.support.services import service_env

ROOT = Path(__file__).resolve().parents[1]
PROBE = "import gc, wsgi; print(gc.get_freeze_count(), len(gc.get_objects()))"


def test_a_worker_keeps_what_start_up_built_out_of_the_collectors_walks(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=service_env(tmp_path), capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    frozen, tracked = (int(number) for number in result.stdout.split())
    # The app's start-up objects are frozen; what a collection still walks is a small remainder.
    assert frozen > 100_000
    assert tracked < frozen / 10
