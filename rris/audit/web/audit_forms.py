"""The audit trail's filter: a GET form (no CSRF: it changes nothing), read into a `TrailFilter`."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional

from rris.audit.domain.events import SUBJECT_ID_MAX_CHARS
from rris.audit.domain.trail_filter import LONGEST_PERIOD_DAYS, TrailFilter
from rris.audit.web.audit_wording import action_label, subject_label
from rris.common.web.forms import WithinYears

ACTOR_MAX_CHARS = 200


class TrailFilterForm(FlaskForm):
    class Meta:
        csrf = False

    first_day = DateField(_l("From"), validators=[Optional(), WithinYears()])
    last_day = DateField(_l("To"), validators=[Optional(), WithinYears()])
    actor = StringField(
        _l("Who"),
        validators=[Optional(), Length(max=ACTOR_MAX_CHARS)],
        description=_l("Name, e-mail or account number"),
    )
    action = SelectField(_l("Action"), validators=[Optional()])
    subject_type = SelectField(_l("Subject"), validators=[Optional()])
    subject_id = StringField(_l("Subject number"), validators=[Optional(), Length(max=SUBJECT_ID_MAX_CHARS)])

    def fill_choices(self, actions: list[str], subject_types: list[str]) -> None:
        """Choices from the reader's part of the trail; a chosen code is kept even when none is left."""
        actions = sorted({*actions, *([self.action.data] if self.action.data else [])}, key=action_label)
        kinds = sorted(
            {*subject_types, *([self.subject_type.data] if self.subject_type.data else [])}, key=subject_label
        )
        self.action.choices = [("", _l("All actions"))] + [(code, action_label(code)) for code in actions]
        self.subject_type.choices = [("", _l("All subjects"))] + [(code, subject_label(code)) for code in kinds]

    def validate(self, extra_validators: object = None) -> bool:
        valid = super().validate(extra_validators)
        first, last = self.first_day.data, self.last_day.data
        problem = None
        if first and last and last < first:
            problem = _l("The last day comes before the first.")
        elif first and last and (last - first).days > LONGEST_PERIOD_DAYS:
            problem = _l("A search covers at most ten years.")
        if problem is not None:
            self.last_day.errors = [*self.last_day.errors, problem]
            return False
        return bool(valid)

    def trail_filter(self) -> TrailFilter:
        """The filter the (valid) form describes."""
        return TrailFilter(
            first_day=self.first_day.data,
            last_day=self.last_day.data,
            actor=(self.actor.data or "").strip() or None,
            action=self.action.data or None,
            subject_type=self.subject_type.data or None,
            subject_id=(self.subject_id.data or "").strip() or None,
        )
