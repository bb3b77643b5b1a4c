"""How well a participant's connection carried a call: samples folded into one summary.

The signalling service samples each connection's WebRTC statistics (round-trip time, packet
loss, bitrate) every few seconds; only the summary is stored. A sample is poor when speech
over it is hard to follow: a round trip above 400 ms makes people talk over each other, and
more than 5 % of packets lost makes words drop out. Pure: no clock, no database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

POOR_RTT_MS = 400.0
POOR_LOSS_PERCENT = 5.0


def is_poor(rtt_ms: float | None, loss_percent: float | None) -> bool:
    """Whether a sample is poor: round trip above POOR_RTT_MS or loss above POOR_LOSS_PERCENT.

    A missing measure never makes a sample poor.
    """
    return (rtt_ms is not None and rtt_ms > POOR_RTT_MS) or (
        loss_percent is not None and loss_percent > POOR_LOSS_PERCENT
    )


@dataclass(frozen=True)
class QualitySummary:
    """One connection's quality over its whole stay; a mean or maximum is None when never measured."""

    samples: int
    rtt_ms_mean: float | None
    rtt_ms_max: float | None
    loss_percent_mean: float | None
    loss_percent_max: float | None
    bitrate_kbps_mean: float | None
    poor_samples: int

    def __post_init__(self) -> None:
        if self.samples < 0 or not 0 <= self.poor_samples <= self.samples:
            raise ValueError("samples must be >= 0 and poor_samples between 0 and samples")


class _Measure:
    """Running mean and maximum of one measure, skipping samples where it is missing."""

    __slots__ = ("count", "total", "largest")

    def __init__(self) -> None:
        self.count = 0
        self.total = 0.0
        self.largest: float | None = None

    def add(self, value: float | None) -> None:
        if value is None:
            return
        self.count += 1
        self.total += value
        self.largest = value if self.largest is None else max(self.largest, value)

    def mean(self) -> float | None:
        return self.total / self.count if self.count else None


def _finite(value: float | None) -> float | None:
    """The value as a float, or None when missing or not a number (browsers report NaN at times)."""
    if value is None:
        return None
    number = float(value)
    return number if math.isfinite(number) else None


class QualityTally:
    """Samples of one connection, added as they come, summarised when it ends."""

    def __init__(self) -> None:
        self._samples = 0
        self._poor = 0
        self._rtt = _Measure()
        self._loss = _Measure()
        self._bitrate = _Measure()

    def add(self, rtt_ms: float | None, loss_percent: float | None, bitrate_kbps: float | None) -> None:
        """Count one sample; any measure may be missing (None or NaN)."""
        rtt, loss, bitrate = _finite(rtt_ms), _finite(loss_percent), _finite(bitrate_kbps)
        self._samples += 1
        self._poor += is_poor(rtt, loss)
        self._rtt.add(rtt)
        self._loss.add(loss)
        self._bitrate.add(bitrate)

    def summary(self) -> QualitySummary | None:
        """The summary of the samples so far, or None when there were none."""
        if not self._samples:
            return None
        return QualitySummary(
            samples=self._samples,
            rtt_ms_mean=self._rtt.mean(),
            rtt_ms_max=self._rtt.largest,
            loss_percent_mean=self._loss.mean(),
            loss_percent_max=self._loss.largest,
            bitrate_kbps_mean=self._bitrate.mean(),
            poor_samples=self._poor,
        )
