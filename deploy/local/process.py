"""What every throwaway server this project starts on 127.0.0.1 shares: its log, its end."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path
from types import TracebackType

STOP_TIMEOUT_SECONDS = 5.0


class LocalProcess:
    """A server process started by a subclass's `start`, logging to `log`, listening on `port`."""

    log: Path
    port: int
    _process: subprocess.Popen[bytes] | None
    stop_signal: signal.Signals = signal.SIGTERM
    stop_timeout_seconds: float = STOP_TIMEOUT_SECONDS

    def log_text(self) -> str:
        """Everything the server logged so far."""
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def stop(self) -> None:
        """`stop_signal`, then SIGKILL after `stop_timeout_seconds`; safe to call twice."""
        process, self._process = self._process, None
        self.port = 0
        if process is None or process.poll() is not None:
            return
        process.send_signal(self.stop_signal)
        try:
            process.wait(timeout=self.stop_timeout_seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _exited(self) -> bool:
        return self._process is None or self._process.poll() is not None

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
