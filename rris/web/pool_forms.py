"""Forms of the coordinators' pool pages: taking an interpreter out of the pool and back in.

The forms carry what was typed; `rris.services.pool_admin` decides, and its field errors come
back onto the same fields through `show_errors`.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from rris.services.pool_admin import DEACTIVATION_REASON_MAX_CHARS


class DeactivateForm(FlaskForm):
    reason = TextAreaField(
        _l("Why does the interpreter leave the pool?"),
        validators=[
            DataRequired(_l("Say why the interpreter leaves the pool.")),
            Length(max=DEACTIVATION_REASON_MAX_CHARS),
        ],
    )


class ReactivateForm(FlaskForm):
    """Only the CSRF token: bringing an interpreter back needs no other input."""
