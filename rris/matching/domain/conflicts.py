"""Which of the matching engine's reasons make a confirmed job a conflict.

A confirmed interpreter who took time off, lost or let expire the accreditation, was
deactivated, changed their availability or pairs, or was objected to for the case can no
longer do the job. Overlaps cannot arise (the database refuses them); preferences such as
gender or specialisation were settled when the job was given.
"""

from __future__ import annotations

from collections.abc import Iterable

from rris.matching.domain.rules import Rejection, RejectionReason

CONFLICT_REASONS = frozenset(
    {
        RejectionReason.INACTIVE,
        RejectionReason.NO_LANGUAGE_PAIR,
        RejectionReason.NO_DIALECT,
        RejectionReason.NOT_ACCREDITED,
        RejectionReason.OUTSIDE_AVAILABILITY,
        RejectionReason.TIME_OFF,
        RejectionReason.OBJECTED_BY_APPLICANT,
    }
)


def conflicts_among(rejections: Iterable[Rejection], waived: Iterable[str] = ()) -> list[Rejection]:
    """The rejections that make a job a conflict, less those a coordinator knowingly overrode."""
    overridden = set(waived)
    found: dict[RejectionReason, Rejection] = {}
    for rejection in rejections:
        if rejection.reason in CONFLICT_REASONS and rejection.reason.value not in overridden:
            found.setdefault(rejection.reason, rejection)
    return list(found.values())


def parse_waived(text: str | None) -> frozenset[str]:
    """The reason codes stored on an assignment made by hand."""
    return frozenset(filter(None, (text or "").split(",")))
