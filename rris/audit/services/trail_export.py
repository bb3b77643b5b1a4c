"""The filtered audit trail as a CSV file, through the reports' file writer (formula cells neutralised)."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import gettext as _

from rris.audit.domain.trail_filter import utc_iso
from rris.audit.queries.trail import TrailRow
from rris.reports.domain.report_tables import Column, Kind, Table
from rris.reports.integrations.report_files import table_csv


def trail_csv(rows: Sequence[TrailRow], more_than: int | None = None) -> str:
    """The rows as CSV: instants in ISO 8601 UTC and codes as stored, for the programs that read
    them; headers in the reader's language. `more_than` notes that the filter matched more rows."""
    columns = (
        Column(_("Entry"), Kind.COUNT),
        Column(_("When (UTC)")),
        Column(_("Account number"), Kind.COUNT),
        Column(_("Who")),
        Column(_("Role")),
        Column(_("From address")),
        Column(_("Action")),
        Column(_("Subject")),
        Column(_("Subject number")),
        Column(_("Country")),
        Column(_("Reason")),
        Column(_("Details")),
        Column(_("Hash")),
    )
    table = Table(
        key="audit",
        title=_("Audit trail"),
        columns=columns,
        rows=tuple(
            (
                row.entry.id,
                utc_iso(row.entry.at),
                row.entry.actor_user_id,
                row.actor_name or "",
                row.entry.actor_role or "",
                row.entry.origin or "",
                row.entry.action,
                row.entry.subject_type,
                row.entry.subject_id,
                row.country_code or "",
                row.entry.reason or "",
                details_text(row.entry.details),
                row.entry.hash,
            )
            for row in rows
        ),
    )
    notes = (
        [_("The filter matched more entries: this file holds the newest %(count)d.", count=more_than)]
        if more_than
        else []
    )
    return table_csv(table, notes)


def details_text(details: dict[str, str]) -> str:
    """An entry's details on one line: 'from: offered; to: confirmed'."""
    return "; ".join(f"{key}: {value}" for key, value in sorted(details.items()))
