"""Reading and writing the kept figures of closed months and of the open month's days
(`rris.reports.models.rollups`), and computing a period's figures live in the form they are
kept in (`month_figures`).

A rollup's rows, by `part`: "session" (a `SessionGroup`), "charge" (a `ChargeGroup`, costs in
cents), "on_demand" (an `OnDemandGroup`); each interpreter's booked microseconds are kept beside the
samples (`packed_booked`). The yes/no keys of a group are bits of `flags`; the sums go to
`count` and `first` … `fourth`.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from functools import cache
from typing import Any

from sqlalchemy import BigInteger, cast, delete, func, insert, select, tuple_, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from rris.enums import BookingState, Modality
from rris.extensions import db
from rris.reports.domain.billing import ChargeGroup, cents_to_amount
from rris.reports.domain.on_demand import OnDemandGroup
from rris.reports.domain.report_period import ReportFilter
from rris.reports.domain.reports import SessionGroup
from rris.reports.domain.rollups import (
    ANSWER,
    BOOKED,
    MonthFigures,
    compacted,
    filter_key,
    packed,
    packed_booked,
    unpacked,
    unpacked_booked,
)
from rris.reports.models.rollups import ReportRollup, ReportRollupRow, ReportRollupSample
from rris.reports.queries.on_demand import answer_sample, on_demand_groups
from rris.reports.queries.reports import report_groups, report_samples
from rris.reports.queries.utilisation import booked_microseconds

SESSION, CHARGE, ON_DEMAND = "session", "charge", "on_demand"
_SESSION_FLAGS = ("filled", "cancelled_late", "had_call", "phone_fallback", "has_summary", "on_demand")
_CALL_FLAGS = ("answered", "abandoned", "has_summary")
# A kept row's state and modality by their stored values: looked up, not constructed, per row
# (a year's export reads some 19,000 rows).
_STATES = {state.value: state for state in BookingState}
_MODALITIES = {modality.value: modality for modality in Modality}


def _flags(group: object, names: Sequence[str]) -> int:
    return sum(1 << bit for bit, name in enumerate(names) if getattr(group, name))


@cache
def _unflag(flags: int, names: Sequence[str]) -> dict[str, bool]:
    return {name: bool(flags & (1 << bit)) for bit, name in enumerate(names)}


def _cents(amount: Decimal) -> int:
    return int(amount * 100)


def month_figures(report_filter: ReportFilter) -> MonthFigures:
    """The figures of `report_filter`'s period (a month or a day) computed live, as a rollup keeps them."""
    sessions, charges, _none = report_groups(report_filter, middles=False)  # every value is read below
    samples: dict[str, Sequence[int]] = dict(report_samples(report_filter))
    samples[ANSWER] = answer_sample(report_filter)
    return MonthFigures(
        compacted(sessions), charges, on_demand_groups(report_filter), booked_microseconds(report_filter), samples
    )


def _rows(figures: MonthFigures) -> list[dict[str, object]]:
    rows: list[dict[str, object]] = []
    blank: dict[str, object] = {
        "country_code": None,
        "applicant_language": None,
        "state": None,
        "modality": None,
        "currency": None,
    }
    blank |= {"flags": 0, "count": 0, "first": 0, "second": 0, "third": 0, "fourth": 0}
    for group in figures.sessions:
        rows.append(
            blank
            | {
                "part": SESSION,
                "country_code": group.country_code,
                "applicant_language": group.applicant_language,
                "state": group.state.value,
                "modality": group.modality.value,
                "flags": _flags(group, _SESSION_FLAGS),
                "count": group.sessions,
                "first": group.booked_seconds,
                "second": group.summary_seconds,
            }
        )
    for charge in figures.charges:
        rows.append(
            blank
            | {
                "part": CHARGE,
                "country_code": charge.country_code,
                "state": charge.state.value,
                "currency": charge.currency,
                "flags": int(charge.has_summary),
                "count": charge.sessions,
                "first": _cents(charge.cost_by_summary),
                "second": _cents(charge.cost_by_booking),
                "third": charge.seconds_by_summary,
                "fourth": charge.seconds_by_booking,
            }
        )
    for call in figures.on_demand:
        rows.append(
            blank
            | {
                "part": ON_DEMAND,
                "country_code": call.country_code,
                "applicant_language": call.applicant_language,
                "state": call.state.value,
                "flags": _flags(call, _CALL_FLAGS),
                "count": call.calls,
                "first": call.booked_seconds,
                "second": call.summary_seconds,
            }
        )
    return rows


def rollup_for(report_filter: ReportFilter) -> tuple[int, int]:
    """The id and version of the rollup of `report_filter`'s period, a month or a day (made,
    without rows, if missing): read before computing the figures, so that a change in between shows."""
    key = {
        "zone_name": report_filter.zone_name,
        "first_day": report_filter.first_day,
        "last_day": report_filter.last_day,
        "filter_key": filter_key(report_filter),
    }
    start, end = report_filter.bounds
    values = key | {"period_start": start, "period_end": end, "version": 0}
    make = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(make(ReportRollup).values(values).on_conflict_do_nothing())
    found = db.session.execute(select(ReportRollup.id, ReportRollup.version).filter_by(**key)).one()
    return found[0], found[1]


def write_rollup(rollup_id: int, version: int, figures: MonthFigures, now: datetime) -> bool:
    """Keep `figures` as the rollup's, computed at `version`; False (nothing written) when the
    month changed since, or someone kept them already."""
    current = db.session.execute(
        select(ReportRollup.version, ReportRollup.filled_version).where(ReportRollup.id == rollup_id).with_for_update()
    ).one()
    if current.version != version or current.filled_version == version:
        return False
    db.session.execute(delete(ReportRollupRow).where(ReportRollupRow.rollup_id == rollup_id))
    db.session.execute(delete(ReportRollupSample).where(ReportRollupSample.rollup_id == rollup_id))
    rows = _rows(figures)
    if rows:
        db.session.execute(insert(ReportRollupRow), [row | {"rollup_id": rollup_id} for row in rows])
    db.session.execute(
        insert(ReportRollupSample),
        [
            *(
                {"rollup_id": rollup_id, "measure": name, "values": packed(values)}
                for name, values in figures.samples.items()
            ),
            {"rollup_id": rollup_id, "measure": BOOKED, "values": packed_booked(figures.booked_microseconds)},
        ],
    )
    db.session.execute(
        update(ReportRollup).where(ReportRollup.id == rollup_id).values(filled_version=version, filled_at=now)
    )
    return True


def _current(zone_name: str, key: str, periods: Sequence[tuple[date, date]]) -> dict[int, date]:
    """The first day of each rollup of `periods` (first and last days) whose figures are current, by id."""
    found = db.session.execute(
        select(ReportRollup.id, ReportRollup.first_day).where(
            ReportRollup.zone_name == zone_name,
            ReportRollup.filter_key == key,
            tuple_(ReportRollup.first_day, ReportRollup.last_day).in_(periods),
            ReportRollup.filled_version == ReportRollup.version,
        )
    )
    return dict(found.tuples().all())


def _add_samples(parts: dict[int, MonthFigures], rollup_ids: Sequence[int]) -> None:
    for rollup_id, measure, values in db.session.execute(
        select(ReportRollupSample.rollup_id, ReportRollupSample.measure, ReportRollupSample.values).where(
            ReportRollupSample.rollup_id.in_(rollup_ids)
        )
    ):
        if measure == BOOKED:
            parts[rollup_id].booked_microseconds.update(unpacked_booked(values))
        else:
            parts[rollup_id].samples[measure] = unpacked(values)  # type: ignore[index]


def kept_months(zone_name: str, key: str, months: Sequence[tuple[date, date]]) -> dict[date, MonthFigures]:
    """The kept, still current figures of those of `months` (first and last days) that have them, by first day."""
    current = _current(zone_name, key, months)
    if not current:
        return {}
    parts: dict[int, MonthFigures] = {rollup_id: MonthFigures() for rollup_id in current}
    columns = [ReportRollupRow.rollup_id, ReportRollupRow.part, *_READ]
    for rollup_id, part, *row in db.session.execute(select(*columns).where(ReportRollupRow.rollup_id.in_(current))):
        _add(parts[rollup_id], part, row)
    _add_samples(parts, list(current))
    return {current[rollup_id]: figures for rollup_id, figures in parts.items()}


def kept_days(zone_name: str, key: str, days: Sequence[date]) -> tuple[set[date], list[MonthFigures]]:
    """Those of `days` whose kept figures are current, and those figures as parts that add up:
    the grouped rows of them all, summed by the database, then each day's samples and booked time."""
    current = _current(zone_name, key, [(day, day) for day in days])
    if not current:
        return set(), []
    summed = MonthFigures()
    keys = (ReportRollupRow.part, *_READ[:6])
    sums = (cast(func.sum(column), BigInteger) for column in _READ[6:])
    for part, *row in db.session.execute(
        select(*keys, *sums).where(ReportRollupRow.rollup_id.in_(current)).group_by(*keys)
    ):
        _add(summed, part, row)
    parts: dict[int, MonthFigures] = {rollup_id: MonthFigures() for rollup_id in current}
    _add_samples(parts, list(current))
    return set(current.values()), [summed, *parts.values()]


def day_rollups_of_ended_months(now: datetime) -> list[tuple[int, str, date]]:
    """The id, zone and day of every day's rollup that ended by `now` (its month may have too)."""
    found = db.session.execute(
        select(ReportRollup.id, ReportRollup.zone_name, ReportRollup.first_day).where(
            ReportRollup.first_day == ReportRollup.last_day, ReportRollup.period_end <= now
        )
    )
    return list(found.tuples().all())


def forget_rollups(rollup_ids: Sequence[int]) -> None:
    """Delete the rollups `rollup_ids` with their rows and samples."""
    db.session.execute(delete(ReportRollupRow).where(ReportRollupRow.rollup_id.in_(rollup_ids)))
    db.session.execute(delete(ReportRollupSample).where(ReportRollupSample.rollup_id.in_(rollup_ids)))
    db.session.execute(delete(ReportRollup).where(ReportRollup.id.in_(rollup_ids)))


# What `_add` reads of a row, in this order.
_READ = (
    ReportRollupRow.country_code,
    ReportRollupRow.applicant_language,
    ReportRollupRow.state,
    ReportRollupRow.modality,
    ReportRollupRow.currency,
    ReportRollupRow.flags,
    ReportRollupRow.count,
    ReportRollupRow.first,
    ReportRollupRow.second,
    ReportRollupRow.third,
    ReportRollupRow.fourth,
)


def _add(figures: MonthFigures, part: str, row: Sequence[Any]) -> None:
    country, language, state, modality, currency, flags, count, first, second, third, fourth = row
    if part == SESSION:
        figures.sessions.append(
            SessionGroup(
                country_code=country,
                applicant_language=language,
                state=_STATES[state],
                modality=_MODALITIES[modality],
                sessions=count,
                booked_seconds=first,
                summary_seconds=second,
                **_unflag(flags, _SESSION_FLAGS),
            )
        )
    elif part == CHARGE:
        figures.charges.append(
            ChargeGroup(
                country_code=country,
                currency=currency,
                state=_STATES[state],
                has_summary=bool(flags),
                sessions=count,
                cost_by_summary=cents_to_amount(first),
                cost_by_booking=cents_to_amount(second),
                seconds_by_summary=third,
                seconds_by_booking=fourth,
            )
        )
    else:
        figures.on_demand.append(
            OnDemandGroup(
                country_code=country,
                applicant_language=language,
                state=_STATES[state],
                calls=count,
                booked_seconds=first,
                summary_seconds=second,
                **_unflag(flags, _CALL_FLAGS),
            )
        )
