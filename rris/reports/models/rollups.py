"""Kept figures of closed months and of the open month's ended days: one `ReportRollup` per zone,
period (a calendar month, or one ended day of the open month) and narrowing, its grouped rows
(`ReportRollupRow`) and its sorted samples behind the medians and percentiles
(`ReportRollupSample`).

A rollup holds exactly what the live report queries return for that month (grouped sessions,
charges, on-demand calls, each interpreter's booked time) plus every value of the durations whose
order statistics the report shows, sorted, so that any run of closed months can be added up and
its medians picked exactly. Triggers (migration 0029_report_rollups) bump `version` of every rollup whose period
holds the start of a booking whose figures change; a rollup counts only while
`filled_version == version`. A day's rollup (`first_day == last_day`, migration
0032_report_day_rollups) holds the same for one ended local day of a month still open.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, ForeignKey, Index, Integer, LargeBinary, SmallInteger, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from rris.common.models.types import UTCDateTime
from rris.extensions import Model


class ReportRollup(Model):
    """The kept figures of one calendar month, or of one day (`first_day == last_day`), in one
    zone, for one narrowing (`filter_key`)."""

    __tablename__ = "report_rollups"
    __table_args__ = (
        UniqueConstraint("zone_name", "first_day", "last_day", "filter_key", name="uq_report_rollups_period_filter"),
        Index("ix_report_rollups_period", "period_start", "period_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    zone_name: Mapped[str] = mapped_column(String(64))
    first_day: Mapped[date] = mapped_column(Date)
    last_day: Mapped[date] = mapped_column(Date)
    filter_key: Mapped[str] = mapped_column(String(200))
    period_start: Mapped[datetime] = mapped_column(UTCDateTime())
    period_end: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=0)  # bumped when a figure of the month changes
    filled_version: Mapped[int | None] = mapped_column(Integer)  # the version the rows were computed at
    filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class ReportRollupRow(Model):
    """One grouped row of a rollup: `part` says which group it is and which columns it fills
    (see `rris.reports.queries.rollups`)."""

    __tablename__ = "report_rollup_rows"

    id: Mapped[int] = mapped_column(primary_key=True)
    rollup_id: Mapped[int] = mapped_column(ForeignKey("report_rollups.id", ondelete="CASCADE"), index=True)
    part: Mapped[str] = mapped_column(String(16))
    country_code: Mapped[str | None] = mapped_column(String(2))
    applicant_language: Mapped[str | None] = mapped_column(String(16))
    state: Mapped[str | None] = mapped_column(String(32))
    modality: Mapped[str | None] = mapped_column(String(16))
    currency: Mapped[str | None] = mapped_column(String(3))
    flags: Mapped[int] = mapped_column(SmallInteger, default=0)  # the group's yes/no keys, one bit each
    count: Mapped[int] = mapped_column(BigInteger, default=0)
    first: Mapped[int] = mapped_column(BigInteger, default=0)
    second: Mapped[int] = mapped_column(BigInteger, default=0)
    third: Mapped[int] = mapped_column(BigInteger, default=0)
    fourth: Mapped[int] = mapped_column(BigInteger, default=0)


class ReportRollupSample(Model):
    """Every value of one duration of a rollup's month (microseconds), sorted, as 64-bit
    little-endian integers: what an exact median or percentile over several months needs; and,
    as measure "booked", each interpreter's id and booked microseconds in pairs."""

    __tablename__ = "report_rollup_samples"

    rollup_id: Mapped[int] = mapped_column(ForeignKey("report_rollups.id", ondelete="CASCADE"), primary_key=True)
    measure: Mapped[str] = mapped_column(String(16), primary_key=True)
    values: Mapped[bytes] = mapped_column(LargeBinary)
