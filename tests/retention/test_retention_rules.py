"""The retention periods as cut-off instants: a record older than its cut-off has served its purpose."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from rris.retention.domain.retention import RetentionPolicy, cutoffs

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
POLICY = RetentionPolicy(
    session_days=90,
    sign_in_days=30,
    audit_days=365,
    login_window=timedelta(minutes=15),
    session_idle=timedelta(hours=2),
    dial_in_window=timedelta(minutes=15),
)


def test_each_period_counts_back_from_now():
    cut = cutoffs(NOW, POLICY)
    assert cut.session_ended == NOW - timedelta(days=90)
    assert cut.sign_in == NOW - timedelta(days=30)
    assert cut.audit == NOW - timedelta(days=365)
    assert cut.dial_in == NOW - timedelta(minutes=15)


def test_an_idle_session_counts_from_when_it_idled_out_not_from_when_it_was_last_seen():
    assert cutoffs(NOW, POLICY).idle_seen == NOW - timedelta(days=30, hours=2)


def test_sign_in_attempts_are_kept_at_least_as_long_as_the_throttle_counts_them():
    long_window = RetentionPolicy(**{**POLICY.__dict__, "sign_in_days": 1, "login_window": timedelta(days=3)})
    assert cutoffs(NOW, long_window).sign_in == NOW - timedelta(days=3)
