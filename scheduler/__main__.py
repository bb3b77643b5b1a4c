"""`python -m scheduler [--check]`: the only process that runs timed work."""

from __future__ import annotations

import argparse
import sys

from rris.app import create_app, schema_is_current
from rris.settings import SettingsError
from scheduler.jobs import heartbeat
from scheduler.runner import run, run_in_app_context


def main(argv: list[str] | None = None) -> int:
    """Entry point of `python -m scheduler`; returns the process exit code."""
    parser = argparse.ArgumentParser(prog="python -m scheduler", description="Run the RRIS scheduler.")
    parser.add_argument("--check", action="store_true", help="build the app, run the heartbeat once and exit")
    args = parser.parse_args(argv)
    try:
        app = create_app()
    except SettingsError as error:
        print(f"scheduler: {error}", file=sys.stderr)
        return 2
    if not schema_is_current(app):
        print(
            "scheduler: the database is not at the newest migration; run `flask --app wsgi db upgrade` first",
            file=sys.stderr,
        )
        return 2
    if args.check:
        run_in_app_context(app, heartbeat)
        print("scheduler check: ok")
        return 0
    return run(app)


if __name__ == "__main__":
    sys.exit(main())
