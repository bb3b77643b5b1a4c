"""An applicant as a booking names it, linked to her other cases inside the search's statement.

`rris.bookings.queries.applicant_links.applicant_link` reads the link in one or two queries of its
own: the case's keys (those given and those on its records), then every case sharing a key. The
search needs it only to mark who served the applicant and whom she objected to, so it finds the
same cases in SQL, in the statement that reads the candidates (one round trip fewer):

    case_keys    = the keys on the case's bookings
    linked_cases = the case itself, and the case of every booking carrying one of those keys or a
                   key given with the request

A booking or an objection of the applicant is one of a linked case, or one carrying such a key; a
booking carrying the key belongs to a linked case by construction, so bookings need only the cases.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import CTE, ColumnElement, Integer, String, bindparam, or_, select, union

from rris.bookings.models.bookings import Booking
from rris.matching.queries.fact_rows import Value


@dataclass(frozen=True)
class ApplicantCase:
    """A case (country, case reference) and the regional applicant keys given with it."""

    country_id: int
    case_reference: str
    keys: frozenset[str] = field(default_factory=frozenset)

    def params(self) -> dict[str, Any]:
        """The values the statement binds for it."""
        values: dict[str, Any] = {"case_country": self.country_id, "case_reference": self.case_reference}
        if self.keys:
            values["given_keys"] = sorted(self.keys)
        return values


def case_keys() -> CTE:
    """The keys on the case's own bookings."""
    country, reference = bindparam("case_country", type_=Integer()), bindparam("case_reference", type_=String())
    return (
        select(Booking.applicant_key.label("key"))
        .where(Booking.country_id == country, Booking.case_reference == reference, Booking.applicant_key.isnot(None))
        .cte("case_keys")
    )


def keyed(key: Value, keys: CTE, given: bool) -> ColumnElement[bool]:
    """`key` is one of the case's keys, or of those given with the request (`given`)."""
    found = key.in_(select(keys.c.key))
    return or_(found, key.in_(bindparam("given_keys", expanding=True))) if given else found


def linked_cases(keys: CTE, given: bool) -> CTE:
    """The case and every case with a booking that carries one of the applicant's keys."""
    country, reference = bindparam("case_country", type_=Integer()), bindparam("case_reference", type_=String())
    return union(
        select(Booking.country_id, Booking.case_reference).where(keyed(Booking.applicant_key, keys, given)),
        select(country.label("country_id"), reference.label("case_reference")),
    ).cte("linked_cases")
