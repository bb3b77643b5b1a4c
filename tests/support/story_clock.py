"""A clock several processes share through a file, for tests whose story spans days.

    clock = FileClock(tmp_path / "clock.json")
    clock.set(datetime(2026, 1, 12, 9, 0, tzinfo=UTC))    # the test moves it
    clock.now()                                            # 09:00, then 09:00:01 a second later...

The file holds an instant and the system's monotonic reading when it was set; `now()` is that
instant plus the monotonic time elapsed since, so time flows during a call and jumps only when
the test says so. CLOCK_MONOTONIC is one clock for every process on the machine (network
namespaces do not change it), so the portal, the signalling service and the test agree.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from rris.timeutil import ensure_utc

# The environment variable the story's service launchers read the clock file's path from.
CLOCK_FILE_VARIABLE = "RRIS_TEST_CLOCK_FILE"


@dataclass
class FileClock:
    """A `rris.timeutil.Clock` read from `path`; `set` (from any process) moves every reader."""

    path: Path
    _seen: tuple[int, int] | None = field(default=None, init=False, repr=False)
    _instant: datetime | None = field(default=None, init=False, repr=False)
    _monotonic: float = field(default=0.0, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def now(self) -> datetime:
        """The file's instant plus the time elapsed since it was written."""
        stat = self.path.stat()
        with self._lock:
            if self._seen != (stat.st_ino, stat.st_mtime_ns):
                fields = json.loads(self.path.read_text())
                self._instant = datetime.fromisoformat(fields["instant"])
                self._monotonic = float(fields["monotonic"])
                self._seen = (stat.st_ino, stat.st_mtime_ns)
            assert self._instant is not None
            return self._instant + timedelta(seconds=time.monotonic() - self._monotonic)

    def set(self, instant: datetime) -> None:
        """Make it `instant` now, for every process reading the file (atomically replaced)."""
        fields = {"instant": ensure_utc(instant).isoformat(), "monotonic": time.monotonic()}
        staging = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        staging.write_text(json.dumps(fields))
        os.replace(staging, self.path)

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by `delta` from where it is now."""
        self.set(self.now() + delta)
