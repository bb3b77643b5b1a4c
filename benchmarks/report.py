"""JSON lines on stdout, and the statistics the benchmarks report."""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TextIO


def percentile(values: Sequence[float], percent: float) -> float:
    """The nearest-rank percentile of `values` (0 for an empty sequence)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    rank = max(1, math.ceil(percent / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Reporter:
    """Writes one JSON object per line; every line names the backend and the data size."""

    stream: TextIO = field(default_factory=lambda: sys.stdout)
    backend: str | None = None
    data: dict[str, int] = field(default_factory=dict)

    def emit(self, bench: str, metric: str, value: float | int, unit: str, **extra: Any) -> None:
        """Print one measurement."""
        line: dict[str, Any] = {"bench": bench, "metric": metric, "value": _rounded(value), "unit": unit}
        if self.backend:
            line["backend"] = self.backend
        if self.data:
            line["data"] = dict(self.data)
        line.update(extra)
        self.stream.write(json.dumps(line, sort_keys=False) + "\n")
        self.stream.flush()

    def latencies(self, bench: str, samples_ms: Sequence[float], *, percents: Sequence[int] = (50, 95, 99)) -> None:
        """p50/p95/... of latencies in milliseconds, plus how many samples they come from."""
        for percent in percents:
            self.emit(bench, f"p{percent}", percentile(samples_ms, percent), "ms")
        self.emit(bench, "samples", len(samples_ms), "count")

    def for_backend(self, backend: str, data: dict[str, int]) -> Reporter:
        """A reporter for one backend and data size, writing to the same stream."""
        return Reporter(self.stream, backend, dict(data))


def _rounded(value: float | int) -> float | int:
    return round(value, 3) if isinstance(value, float) else value
