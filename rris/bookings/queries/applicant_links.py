"""Which bookings and objections concern the same applicant.

Without a regional applicant key, only the case: (country, case reference), as each department
numbers its own cases. With one, also every case in any country whose bookings carry the same
key. A case's key is known from any of its bookings, so a booking made without the identifier
still follows the objections of its applicant once another booking of the case had it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select

from rris.bookings.models.bookings import Booking, CaseObjection
from rris.extensions import db


@dataclass(frozen=True)
class ApplicantLink:
    """The cases of one applicant, and the keyed hashes that name them."""

    cases: frozenset[tuple[int, str]]
    keys: frozenset[str]


def applicant_link(country_id: int, case_reference: str, keys: Iterable[str] = ()) -> ApplicantLink:
    """The case, its keys (those given and those on its records) and every case sharing a key."""
    known = set(keys)
    in_case = (
        (Booking.country_id == country_id)
        & (Booking.case_reference == case_reference)
        & Booking.applicant_key.isnot(None)
    )
    known.update(db.session.scalars(select(Booking.applicant_key).where(in_case).distinct()))
    cases = {(country_id, case_reference)}
    if known:
        cases.update(
            (row.country_id, row.case_reference)
            for row in db.session.execute(
                select(Booking.country_id, Booking.case_reference).where(Booking.applicant_key.in_(known)).distinct()
            )
        )
    return ApplicantLink(frozenset(cases), frozenset(known))


def booking_link(booking: Booking) -> ApplicantLink:
    """The applicant link of a stored booking."""
    keys = (booking.applicant_key,) if booking.applicant_key else ()
    return applicant_link(booking.country_id, booking.case_reference, keys)


def linked_bookings(link: ApplicantLink) -> ColumnElement[bool]:
    """A condition on `Booking`: a booking of the same applicant."""
    return _linked(Booking.country_id, Booking.case_reference, Booking.applicant_key, link)


def linked_objections(link: ApplicantLink) -> ColumnElement[bool]:
    """A condition on `CaseObjection`: an objection of the same applicant."""
    return _linked(CaseObjection.country_id, CaseObjection.case_reference, CaseObjection.applicant_key, link)


def _linked(country, reference, key, link: ApplicantLink) -> ColumnElement[bool]:  # type: ignore[no-untyped-def]
    # One equality pair per case rather than a row-value IN: SQLite searches a row-value IN by
    # its first column only (every booking of the country), but each pair by the case's index.
    by_case = [and_(country == country_id, reference == case_ref) for country_id, case_ref in sorted(link.cases)]
    by_key = [key.in_(sorted(link.keys))] if link.keys else []
    return or_(*by_case, *by_key) if by_case or by_key else false()
