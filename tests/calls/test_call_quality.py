"""A connection's samples fold into one summary; a sample is poor above 400 ms or 5 % loss."""

from __future__ import annotations

import math

import pytest

from rris.calls.domain.call_quality import POOR_LOSS_PERCENT, POOR_RTT_MS, QualitySummary, QualityTally, is_poor


def test_the_thresholds_are_400_ms_and_5_percent() -> None:
    assert (POOR_RTT_MS, POOR_LOSS_PERCENT) == (400, 5)


@pytest.mark.parametrize(
    ("rtt_ms", "loss_percent", "poor"),
    [
        (400, 5, False),  # at the limit is still acceptable
        (400.1, 0, True),
        (20, 5.1, True),
        (None, None, False),  # nothing measured is not evidence of a poor line
        (None, 12, True),
        (900, None, True),
    ],
)
def test_a_sample_is_poor_above_either_threshold(rtt_ms, loss_percent, poor) -> None:
    assert is_poor(rtt_ms, loss_percent) is poor


def test_no_samples_no_summary() -> None:
    assert QualityTally().summary() is None


def test_means_maxima_and_poor_samples_over_four_samples() -> None:
    tally = QualityTally()
    tally.add(40, 0.0, 800)
    tally.add(60, 1.0, 600)
    tally.add(500, 2.0, 400)  # poor: round trip
    tally.add(100, 9.0, 200)  # poor: loss
    assert tally.summary() == QualitySummary(
        samples=4,
        rtt_ms_mean=175.0,  # (40 + 60 + 500 + 100) / 4
        rtt_ms_max=500.0,
        loss_percent_mean=3.0,  # (0 + 1 + 2 + 9) / 4
        loss_percent_max=9.0,
        bitrate_kbps_mean=500.0,
        poor_samples=2,
    )


def test_a_missing_measure_is_left_out_of_its_mean_but_the_sample_counts() -> None:
    tally = QualityTally()
    tally.add(100, None, None)
    tally.add(None, 4.0, None)
    tally.add(300, math.nan, None)  # browsers report NaN before the first packets
    summary = tally.summary()
    assert summary is not None
    assert summary.samples == 3
    assert (summary.rtt_ms_mean, summary.rtt_ms_max) == (200.0, 300.0)
    assert (summary.loss_percent_mean, summary.loss_percent_max) == (4.0, 4.0)
    assert summary.bitrate_kbps_mean is None
    assert summary.poor_samples == 0


def test_a_summary_cannot_claim_more_poor_samples_than_samples() -> None:
    with pytest.raises(ValueError):
        QualitySummary(2, None, None, None, None, None, poor_samples=3)
