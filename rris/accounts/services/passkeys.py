"""Passkeys (WebAuthn): registering several per account, removing them, and the sign-in check."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import delete, select
from webauthn import (
    generate_authentication_options,
    generate_registration_options,
    options_to_json,
    verify_authentication_response,
    verify_registration_response,
)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url, parse_authentication_credential_json
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (
    AuthenticatorSelectionCriteria,
    AuthenticatorTransport,
    PublicKeyCredentialDescriptor,
    ResidentKeyRequirement,
    UserVerificationRequirement,
)

from rris.access.domain.permissions import second_factor_required
from rris.accounts.domain.login_throttle import ThrottlePolicy
from rris.accounts.models.accounts import User
from rris.accounts.models.second_factor import Passkey, TotpSecret
from rris.accounts.services.second_factor_audit import audit_second_factor
from rris.accounts.services.second_step import SecondStep, throttled_attempt
from rris.common.domain.errors import Conflict, InvalidInput
from rris.common.services.transactions import begin_write, rows_changed
from rris.extensions import db
from rris.settings import Settings

PASSKEY_NAME_MAX_CHARS = 100
RP_NAME = "RRIS"


@dataclass(frozen=True)
class RelyingParty:
    """Who passkeys are for: the id (a domain) and the origin browsers report."""

    id: str
    origin: str

    @classmethod
    def from_settings(cls, settings: Settings) -> RelyingParty:
        """The relying party the portal is."""
        return cls(settings.webauthn_rp_id, settings.webauthn_origin)


@dataclass(frozen=True)
class Ceremony:
    """Options for the browser (JSON text) and the challenge to keep until it answers."""

    options_json: str
    challenge: str  # base64url


def passkeys_of(user_id: int) -> list[Passkey]:
    """The person's passkeys, oldest first."""
    return list(db.session.scalars(select(Passkey).where(Passkey.user_id == user_id).order_by(Passkey.id)))


def registration_ceremony(user: User, party: RelyingParty) -> Ceremony:
    """Options to create a passkey for `user`, excluding the ones they already have."""
    options = generate_registration_options(
        rp_id=party.id,
        rp_name=RP_NAME,
        user_id=f"rris-user-{user.id}".encode(),
        user_name=user.email,
        user_display_name=user.name,
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.PREFERRED
        ),
        exclude_credentials=_descriptors(user.id),
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def register_passkey(
    user_id: int,
    name: str,
    credential: dict[str, Any],
    challenge: str,
    party: RelyingParty,
    now: datetime,
    origin: str | None,
) -> Passkey:
    """Check the browser's new credential against the challenge and keep it under `name`."""
    name = (name or "").strip()
    if not name:
        raise InvalidInput({"name": _("Give the passkey a name, such as the device it is on.")})
    if len(name) > PASSKEY_NAME_MAX_CHARS:
        raise InvalidInput({"name": _("Keep the name under %(count)d characters.", count=PASSKEY_NAME_MAX_CHARS)})
    try:
        verified = verify_registration_response(
            credential=credential,
            expected_challenge=base64url_to_bytes(challenge),
            expected_rp_id=party.id,
            expected_origin=party.origin,
        )
    except (WebAuthnException, ValueError, KeyError, TypeError) as error:
        raise InvalidInput({"credential": _("The passkey could not be checked. Try again.")}) from error
    credential_id = bytes_to_base64url(verified.credential_id)
    transports = [str(item) for item in credential.get("response", {}).get("transports", []) if isinstance(item, str)]
    begin_write()
    if db.session.scalar(select(Passkey.id).where(Passkey.credential_id == credential_id)) is not None:
        db.session.rollback()
        raise Conflict(_("This passkey is registered already."))
    record = Passkey(
        user_id=user_id,
        name=name,
        credential_id=credential_id,
        public_key=verified.credential_public_key,
        sign_count=verified.sign_count,
        transports=",".join(transports)[:100],
        created_at=now,
    )
    db.session.add(record)
    db.session.flush()
    account = db.session.get_one(User, user_id)
    audit_second_factor("enrolled", account, origin, now, method="passkey", passkey_id=str(record.id))
    db.session.commit()
    return record


def remove_passkey(user: User, passkey_id: int, now: datetime, origin: str | None) -> str:
    """Remove one of one's passkeys (its name is returned); refused when it is a required last factor."""
    begin_write()
    record = db.session.scalar(select(Passkey).where(Passkey.id == passkey_id, Passkey.user_id == user.id))
    if record is None:
        db.session.rollback()
        raise InvalidInput({"passkey": _("There is no such passkey on your account.")})
    others = len(passkeys_of(user.id)) - 1
    has_app = db.session.scalar(
        select(TotpSecret.id).where(TotpSecret.user_id == user.id, TotpSecret.confirmed_at.isnot(None))
    )
    if second_factor_required(user.role) and others == 0 and has_app is None:
        db.session.rollback()
        raise Conflict(_("Your role needs a second factor: set up another before you remove the last one."))
    name = record.name
    rows_changed(delete(Passkey).where(Passkey.id == passkey_id))
    audit_second_factor("removed", user, origin, now, method="passkey", passkey_id=str(passkey_id))
    db.session.commit()
    return name


def sign_in_ceremony(user_id: int, party: RelyingParty) -> Ceremony:
    """Options to sign in with one of the person's passkeys."""
    options = generate_authentication_options(
        rp_id=party.id,
        allow_credentials=_descriptors(user_id),
        user_verification=UserVerificationRequirement.PREFERRED,
    )
    return Ceremony(options_to_json(options), bytes_to_base64url(options.challenge))


def verify_passkey(
    user_id: int,
    credential: dict[str, Any],
    challenge: str,
    party: RelyingParty,
    ip_address: str,
    now: datetime,
    policy: ThrottlePolicy,
) -> SecondStep:
    """Check the browser's signature with one of the person's passkeys; throttled like codes."""

    def check(user: User) -> SecondStep | None:
        try:
            parsed = parse_authentication_credential_json(json.dumps(credential))
            record = db.session.scalar(
                select(Passkey)
                .where(Passkey.user_id == user.id, Passkey.credential_id == bytes_to_base64url(parsed.raw_id))
                .with_for_update()
            )
            if record is None:
                return None
            verified = verify_authentication_response(
                credential=parsed,
                expected_challenge=base64url_to_bytes(challenge),
                expected_rp_id=party.id,
                expected_origin=party.origin,
                credential_public_key=record.public_key,
                credential_current_sign_count=record.sign_count,
            )
        except (WebAuthnException, ValueError, KeyError, TypeError):
            return None
        record.sign_count, record.last_used_at = verified.new_sign_count, now
        return SecondStep(user)

    refusal = ("credential", _("That passkey is not registered for this account, or it could not be checked."))
    return throttled_attempt(user_id, ip_address, now, policy, check, refusal)


def _descriptors(user_id: int) -> list[PublicKeyCredentialDescriptor]:
    return [
        PublicKeyCredentialDescriptor(
            id=base64url_to_bytes(record.credential_id),
            transports=[AuthenticatorTransport(item) for item in record.transports.split(",") if _transport(item)],
        )
        for record in passkeys_of(user_id)
    ]


def _transport(item: str) -> bool:
    return item in {transport.value for transport in AuthenticatorTransport}
