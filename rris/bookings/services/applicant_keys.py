"""The pool's applicant key secrets at work: keying an identifier, re-keying during a rotation.

The identifier a caseworker types lives only in the request that carries it: it is keyed here
and dropped. Nothing in this module logs, stores or returns it.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select, update

from rris.bookings.domain.applicant_keys import (
    IDENTIFIER_MAX_CHARS,
    IDENTIFIER_MIN_CHARS,
    ApplicantKey,
    IdentifierProblem,
    InvalidIdentifier,
    KeyRing,
)
from rris.bookings.models.bookings import Booking, CaseObjection
from rris.common.services.transactions import rows_changed
from rris.extensions import db
from rris.settings import Settings

# The records that carry an applicant key.
_KEYED_MODELS: tuple[type[Booking] | type[CaseObjection], ...] = (Booking, CaseObjection)


def key_ring(settings: Settings) -> KeyRing:
    """The current secret and the retired ones still accepted, from the settings."""
    secrets = dict(settings.applicant_key_retired)
    secrets[settings.applicant_key_version] = settings.applicant_key_secret
    return KeyRing(settings.applicant_key_version, secrets)


def keys_for_identifier(
    raw: str | None, keys: KeyRing, errors: dict[str, str], field: str = "applicant_identifier"
) -> tuple[ApplicantKey, ...]:
    """The identifier's keys (current first), none when it was left empty; a problem goes to `errors`."""
    if raw is None or not raw.strip():
        return ()
    try:
        return keys.keys_for(raw)
    except InvalidIdentifier as invalid:
        errors[field] = identifier_problem_text(invalid.problem)
        return ()


def stand_in_for_identifier(raw: str, keys: KeyRing) -> str:
    """What may stand for an identifier where a request is remembered (an idempotency
    fingerprint): its current key, since a plain hash of a short number is guessed offline."""
    try:
        return "key:" + keys.keys_for(raw)[0].digest
    except InvalidIdentifier:
        return "invalid"  # such a request is refused before anything is remembered


def identifier_problem_text(problem: IdentifierProblem) -> str:
    """What is wrong with an identifier, in words, without repeating it."""
    if problem is IdentifierProblem.CHARACTERS:
        return _("Use letters and digits only (spaces, dashes, dots and slashes are ignored).")
    if problem is IdentifierProblem.TOO_LONG:
        return _("An identifier has at most %(count)d letters and digits.", count=IDENTIFIER_MAX_CHARS)
    return _("An identifier has at least %(count)d letters and digits.", count=IDENTIFIER_MIN_CHARS)


def rekey(keys: tuple[ApplicantKey, ...]) -> int:
    """Move records keyed under a retired secret to the current key; the caller commits.

    Only possible while the identifier is at hand, so it happens whenever one is entered.
    Returns how many rows changed.
    """
    if len(keys) < 2:
        return 0
    current, retired = keys[0], [key.digest for key in keys[1:]]
    changed = 0
    for model in _KEYED_MODELS:
        changed += rows_changed(
            update(model)
            .where(model.applicant_key.in_(retired))
            .values(applicant_key=current.digest, applicant_key_version=current.version)
            .execution_options(synchronize_session=False)
        )
    return changed


@dataclass(frozen=True)
class KeyVersionCount:
    """How many records carry a key of one version."""

    version: int
    bookings: int
    objections: int


def key_version_counts() -> list[KeyVersionCount]:
    """Records per key version, for watching a rotation drain."""
    counts: dict[int, list[int]] = {}
    for index, model in enumerate(_KEYED_MODELS):
        rows = db.session.execute(
            select(model.applicant_key_version, func.count())
            .where(model.applicant_key_version.isnot(None))
            .group_by(model.applicant_key_version)
        )
        for version, number in rows:
            counts.setdefault(version, [0, 0])[index] = number
    return [KeyVersionCount(version, *counts[version]) for version in sorted(counts)]
