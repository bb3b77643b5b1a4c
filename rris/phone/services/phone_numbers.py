"""A person's mobile number: verified by a code sent by SMS, then allowed to receive SMS reminders.

The telephone fallback rings only verified numbers, so a number counts as verified only after
its holder typed back the code sent to it.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import re
import secrets
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from phonenumbers import PhoneNumberType
from sqlalchemy import select, update

from rris.accounts.models.accounts import User
from rris.common.domain.errors import InvalidInput, TooManyAttempts
from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.notifications.integrations.sms import (
    OutgoingSms,
    SmsPermanentError,
    SmsTemporaryError,
    current_sms_sender,
    number_tail,
)
from rris.phone.domain.phone_numbers import PhoneNumberRefused, PhoneProblem, read_phone_number
from rris.phone.models.phone_verification import PhoneVerification

log = logging.getLogger(__name__)

CODE_DIGITS = 6
CODE_VALID_MINUTES = 10
MAX_CODES_PER_HOUR = 3
MAX_WRONG_CODES = 5
_SEPARATORS = re.compile(r"[\s\-.()/]")  # of a typed code, not of numbers: those are read by phonenumbers
EXAMPLE = "+93 70 123 4567"
_KINDS: dict[int | None, object] = {  # lazy: worded in the language of the request
    PhoneNumberType.FIXED_LINE: _l("a landline number"),
    PhoneNumberType.TOLL_FREE: _l("a toll-free number"),
    PhoneNumberType.PREMIUM_RATE: _l("a premium-rate number"),
    PhoneNumberType.SHARED_COST: _l("a shared-cost number"),
    PhoneNumberType.VOIP: _l("an internet telephony (VoIP) number"),
    PhoneNumberType.PERSONAL_NUMBER: _l("a personal forwarding number"),
    PhoneNumberType.PAGER: _l("a pager number"),
    PhoneNumberType.UAN: _l("a company's universal access number"),
    PhoneNumberType.VOICEMAIL: _l("a voicemail access number"),
}


def normalise_phone(raw: str) -> str:
    """The mobile number typed in international form, in E.164; else InvalidInput naming `phone`
    and the problem. Every place where a person enters a number goes through here."""
    try:
        return read_phone_number(raw)
    except PhoneNumberRefused as refused:
        raise InvalidInput({"phone": phone_problem(refused)}) from None


def phone_problem(refused: PhoneNumberRefused) -> str:
    """What is wrong with a typed number, said to the person who typed it."""
    code = refused.country_code
    match refused.problem:
        case PhoneProblem.EMPTY:
            return _("Enter a mobile number.")
        case PhoneProblem.CHARACTERS:
            return _("Use only digits, spaces, dashes and brackets, like %(example)s.", example=EXAMPLE)
        case PhoneProblem.NO_COUNTRY_CODE:
            return _("Start with + (or 00) and the country code, like %(example)s.", example=EXAMPLE)
        case PhoneProblem.UNKNOWN_COUNTRY_CODE:
            return _("This number does not begin with a country code in use. Check the digits after the +.")
        case PhoneProblem.TOO_SHORT:
            if code is None:
                return _("Enter the whole number with its country code, like %(example)s.", example=EXAMPLE)
            return _("This number has too few digits for a number with country code +%(code)d.", code=code)
        case PhoneProblem.TOO_LONG:
            if code is None:
                return _("This number has too many digits: with its country code a number has at most 15.")
            return _("This number has too many digits for a number with country code +%(code)d.", code=code)
        case PhoneProblem.NOT_MOBILE:
            kind = _KINDS.get(refused.kind, _l("a number of no known kind"))
            return _("This is %(kind)s: it cannot receive SMS and calls. Enter a mobile number.", kind=kind)
    return _(
        "This is not a valid number: no number with country code +%(code)d looks like it. Check the digits.",
        code=code or 0,
    )


def start_verification(user: User, raw_phone: str, now: datetime, secret_key: str) -> None:
    """Send a new code (stored keyed by `secret_key`); a new number replaces the old one, unverified till confirmed."""
    phone = normalise_phone(raw_phone)
    user_id = user.id
    begin_write()
    user = _locked_user(user_id)
    if phone == user.phone and user.phone_verified_at is not None:
        raise InvalidInput({"phone": _("This number is verified already.")})
    window_start = now - timedelta(hours=1)
    recent = db.session.scalars(
        select(PhoneVerification.created_at)
        .where(PhoneVerification.user_id == user_id, PhoneVerification.created_at > window_start)
        .order_by(PhoneVerification.created_at)
    ).all()
    if len(recent) >= MAX_CODES_PER_HOUR:
        log.warning("verification codes throttled for user %s", user_id)
        raise TooManyAttempts(recent[0] + timedelta(hours=1))
    _void_open_codes(user_id, now)
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    verification = PhoneVerification(
        user_id=user_id,
        phone=phone,
        code_hash=_code_hash(user_id, phone, code, secret_key),
        created_at=now,
        expires_at=now + timedelta(minutes=CODE_VALID_MINUTES),
        attempts=0,
    )
    db.session.add(verification)
    if phone != user.phone:
        user.phone = phone
        user.phone_verified_at = None
        user.sms_opt_in = False
    db.session.commit()
    verification_id = verification.id
    log.info("verification code for user %s going to %s", user_id, number_tail(phone))
    # Sent after the commit: the SMS may take seconds and no write lock is held meanwhile.
    text = _("RRIS code: %(code)s. It expires in %(minutes)d minutes.", code=code, minutes=CODE_VALID_MINUTES)
    try:
        current_sms_sender().send(OutgoingSms(phone, text))
    except SmsPermanentError:
        _void_code(verification_id, now)
        raise InvalidInput(
            {"phone": _("We could not send an SMS to this number. Check that it is a mobile number.")}
        ) from None
    except SmsTemporaryError:
        _void_code(verification_id, now)
        raise InvalidInput({"phone": _("SMS cannot be sent just now. Try again in a few minutes.")}) from None


def confirm_verification(user: User, code: str, now: datetime, secret_key: str) -> None:
    """Check the code against the newest one sent (hashed with `secret_key`); when right, the number is verified."""
    user_id = user.id
    begin_write()
    user = _locked_user(user_id)
    verification = db.session.scalar(
        select(PhoneVerification)
        .where(PhoneVerification.user_id == user_id)
        .order_by(PhoneVerification.created_at.desc(), PhoneVerification.id.desc())
        .limit(1)
    )
    if verification is None or verification.used_at is not None or verification.phone != user.phone:
        raise InvalidInput({"code": _("No code is waiting to be entered. Ask for a new one.")})
    if verification.attempts >= MAX_WRONG_CODES:
        raise InvalidInput(
            {"code": _("This code was entered wrongly too often and no longer works. Ask for a new one.")}
        )
    if now >= verification.expires_at:
        raise InvalidInput({"code": _("This code has expired. Ask for a new one.")})
    typed = _SEPARATORS.sub("", code or "")
    if not hmac.compare_digest(verification.code_hash, _code_hash(user_id, verification.phone, typed, secret_key)):
        verification.attempts += 1
        left = MAX_WRONG_CODES - verification.attempts
        db.session.commit()
        log.info("wrong verification code for user %s (%d tries left)", user_id, left)
        if left == 0:
            raise InvalidInput({"code": _("This code is not right, and it no longer works. Ask for a new one.")})
        raise InvalidInput(
            {
                "code": ngettext(
                    "This code is not right. %(num)d try left.", "This code is not right. %(num)d tries left.", left
                )
            }
        )
    verification.used_at = now
    user.phone = verification.phone
    user.phone_verified_at = now
    db.session.commit()
    log.info("user %s verified %s", user_id, number_tail(verification.phone))


def set_sms_opt_in(user: User, opt_in: bool, now: datetime) -> None:
    """Turn SMS reminders on or off; on needs a verified number."""
    user_id = user.id
    begin_write()
    user = _locked_user(user_id)
    if opt_in and (user.phone is None or user.phone_verified_at is None):
        raise InvalidInput({"sms_opt_in": _("Verify a mobile number first; reminders go only to a verified number.")})
    user.sms_opt_in = opt_in
    db.session.commit()
    log.info("user %s turned SMS reminders %s at %s", user_id, "on" if opt_in else "off", now.isoformat())


def remove_phone(user: User, now: datetime) -> None:
    """Forget the number: no more SMS, no telephone fallback, and codes still open stop working."""
    user_id = user.id
    begin_write()
    user = _locked_user(user_id)
    user.phone = None
    user.phone_verified_at = None
    user.sms_opt_in = False
    _void_open_codes(user_id, now)
    db.session.commit()
    log.info("user %s removed their mobile number", user_id)


def pending_verification(user: User, now: datetime) -> PhoneVerification | None:
    """The code waiting to be typed in for the user's current number, if any."""
    verification = db.session.scalar(
        select(PhoneVerification)
        .where(PhoneVerification.user_id == user.id)
        .order_by(PhoneVerification.created_at.desc(), PhoneVerification.id.desc())
        .limit(1)
    )
    if (
        verification is None
        or verification.used_at is not None
        or verification.attempts >= MAX_WRONG_CODES
        or now >= verification.expires_at
        or verification.phone != user.phone
    ):
        return None
    return verification


def _locked_user(user_id: int) -> User:
    # Every change to a person's number goes through this row lock, so two requests at once
    # cannot both pass the hourly limit or both spend the same wrong-code allowance.
    return db.session.scalars(
        select(User).where(User.id == user_id).with_for_update().execution_options(populate_existing=True)
    ).one()


def _void_open_codes(user_id: int, now: datetime) -> None:
    db.session.execute(
        update(PhoneVerification)
        .where(
            PhoneVerification.user_id == user_id,
            PhoneVerification.used_at.is_(None),
            PhoneVerification.expires_at > now,
        )
        .values(expires_at=now)
    )


def _void_code(verification_id: int, now: datetime) -> None:
    # The code never arrived: it must not be offered for entry, but it still counts towards the limit.
    begin_write()
    db.session.execute(update(PhoneVerification).where(PhoneVerification.id == verification_id).values(expires_at=now))
    db.session.commit()


def _code_hash(user_id: int, phone: str, code: str, secret_key: str) -> str:
    # Keyed and bound to person and number: a leaked table reveals no code, and a hash copied
    # onto another row does not verify there.
    message = f"{user_id}:{phone}:{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
