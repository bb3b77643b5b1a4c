"""The forms of the webhook pages, and the words for event types and delivery states."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from rris.common.web.forms import MaxChars
from rris.webhooks.domain.addresses import URL_MAX_CHARS
from rris.webhooks.domain.events import DeliveryState, WebhookEventType
from rris.webhooks.models.webhooks import DESCRIPTION_MAX_CHARS
from rris.webhooks.services.endpoints import DISABLED_BY_PERSON, DISABLED_FOR_FAILURES


class EventChoices(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class EndpointForm(FlaskForm):
    department_id = SelectField(_l("Department"), coerce=int)
    url = StringField(_l("URL of your case system's endpoint"), validators=[MaxChars(URL_MAX_CHARS)])
    description = StringField(_l("Description (optional)"), validators=[MaxChars(DESCRIPTION_MAX_CHARS)])
    events = EventChoices(_l("Events to send"))


def event_label(event: WebhookEventType) -> str:
    """An event type in the reader's words."""
    return {
        WebhookEventType.CONFIRMED: _("Booking confirmed"),
        WebhookEventType.RESCHEDULED: _("Booking rescheduled"),
        WebhookEventType.CANCELLED: _("Booking cancelled"),
        WebhookEventType.COMPLETED: _("Session completed, with the minutes interpreted"),
    }[event]


def delivery_label(state: DeliveryState) -> str:
    """A delivery's state in the reader's words."""
    return {
        DeliveryState.PENDING: _("waiting to be tried again"),
        DeliveryState.SENDING: _("being sent"),
        DeliveryState.DELIVERED: _("delivered"),
        DeliveryState.FAILED: _("failed"),
    }[state]


def disabled_label(reason: str | None) -> str:
    """Why an endpoint is disabled, in the reader's words."""
    if reason == DISABLED_FOR_FAILURES:
        return _("Disabled by RRIS: its deliveries kept failing.")
    if reason == DISABLED_BY_PERSON:
        return _("Disabled.")
    return ""
