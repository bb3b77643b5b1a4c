"""Which language a telephone prompt speaks to the person on the line: the one they chose, or
their office country's (`rris.common.domain.locales.message_locale`, as for their messages); for
an unknown caller on the dial-in line, the country of the number they call from; English else."""

from __future__ import annotations

from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.accounts.services.preferences import reader_of
from rris.common.domain.locales import message_locale
from rris.extensions import db
from rris.phone.domain.spoken_languages import SpokenVoice, spoken_voice
from rris.phone.domain.toll_guard import region_of
from rris.phone.models.phone_legs import PhoneLeg


def voice_for_leg(leg_id: int) -> SpokenVoice:
    """How to speak to the person an outgoing leg rings (English for a leg of no account)."""
    leg = db.session.get(PhoneLeg, leg_id)
    user = db.session.get(User, leg.user_id) if leg is not None and leg.user_id is not None else None
    return spoken_voice(reader_of(user).language if user is not None else None)


def voice_for_caller(number: str | None) -> SpokenVoice:
    """How to speak to whoever calls the dial-in line from `number`: the account whose verified
    phone it is reads its own language; anyone else hears the language of the number's country."""
    user = None
    if number:
        user = db.session.scalar(
            select(User).where(User.phone == number, User.phone_verified_at.isnot(None), User.active.is_(True)).limit(1)
        )
    if user is not None:
        return spoken_voice(reader_of(user).language)
    return spoken_voice(message_locale(None, region_of(number)))
