"""What an interpreter sends to answer an offer, described once (`rris.common.services.request_shapes`)."""

from __future__ import annotations

from typing import Annotated

from flask_babel import gettext as _
from pydantic import Field

from rris.common.services.request_shapes import SAYS_SOMETHING, RequestShape, blank_or

DECLINE_REASON_MAX_CHARS = 500


class Decline(RequestShape):
    """Why the interpreter says no, for the coordinators' planning."""

    reason: Annotated[
        str,
        SAYS_SOMETHING,
        Field(max_length=DECLINE_REASON_MAX_CHARS),
        blank_or(lambda: _("Say briefly why, so the coordinators can plan.")),
    ]
