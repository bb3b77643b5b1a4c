"""Webhook endpoints of a department's case system: register, show the secret once, rotate,
disable or enable, and read the delivery log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from rris.access.domain.permissions import Capability
from rris.access.queries.scoping import visible_departments
from rris.common.web.authentication import current_actor, require
from rris.common.web.forms import ConfirmForm, run_form
from rris.context import current_clock, current_settings
from rris.extensions import db
from rris.webhooks.domain.events import WebhookEventType
from rris.webhooks.models.webhooks import WebhookEndpoint
from rris.webhooks.queries.endpoints import delivery_log, visible_endpoint, visible_endpoints, waiting_deliveries
from rris.webhooks.services import endpoints as service
from rris.webhooks.services.delivery import policy_from
from rris.webhooks.web.endpoint_forms import EndpointForm, delivery_label, disabled_label, event_label

bp = Blueprint("webhooks", __name__, url_prefix="/webhooks")


@bp.app_context_processor
def _words() -> dict[str, Any]:
    return {"webhook_event_label": event_label, "delivery_label": delivery_label, "disabled_label": disabled_label}


@bp.get("")
@require(Capability.MANAGE_WEBHOOKS)
def index(form: EndpointForm | None = None, status: int = 200) -> Any:
    endpoints = db.session.scalars(visible_endpoints(current_actor())).all()
    form = form or _endpoint_form(posted=False)
    return render_template("webhooks/index.html", endpoints=endpoints, form=form), status


@bp.post("")
@require(Capability.MANAGE_WEBHOOKS)
def create() -> Any:
    form = _endpoint_form()
    policy = policy_from(current_settings())

    def register() -> WebhookEndpoint:
        data = service.EndpointInput(
            department_id=form.department_id.data or 0,
            url=form.url.data or "",
            description=form.description.data or "",
            events=frozenset(WebhookEventType(value) for value in form.events.data or ()),
        )
        return service.create_endpoint(data, current_actor(), current_clock().now(), policy, request.remote_addr)

    done = run_form(form, register)
    if done is None:
        return index(form=form, status=422)
    return _page(done.result, secret=done.result.secret, status=201)


@bp.get("/<id:endpoint_id>")
@require(Capability.MANAGE_WEBHOOKS)
def endpoint(endpoint_id: int) -> Any:
    return _page(visible_endpoint(current_actor(), endpoint_id))


@bp.post("/<id:endpoint_id>/rotate")
@require(Capability.MANAGE_WEBHOOKS)
def rotate(endpoint_id: int) -> Any:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))
    overlap = timedelta(hours=current_settings().webhook_secret_overlap_hours)
    record = service.rotate_secret(endpoint_id, current_actor(), current_clock().now(), overlap, request.remote_addr)
    return _page(record, secret=record.secret)


@bp.post("/<id:endpoint_id>/disable")
@require(Capability.MANAGE_WEBHOOKS)
def disable(endpoint_id: int) -> Any:
    return _set_active(endpoint_id, False, _("The endpoint is disabled: nothing more is sent to it."))


@bp.post("/<id:endpoint_id>/enable")
@require(Capability.MANAGE_WEBHOOKS)
def enable(endpoint_id: int) -> Any:
    return _set_active(endpoint_id, True, _("The endpoint is enabled: changes from now on are sent to it."))


def _set_active(endpoint_id: int, active: bool, done: str) -> Any:
    if ConfirmForm().validate_on_submit():
        service.set_active(endpoint_id, active, current_actor(), current_clock().now(), request.remote_addr)
        flash(done, "success")
    return redirect(url_for("webhooks.endpoint", endpoint_id=endpoint_id))


def _page(record: WebhookEndpoint, secret: str | None = None, status: int = 200) -> Any:
    """The endpoint's page; `secret` only right after it was made, the one time it is shown."""
    return render_template(
        "webhooks/endpoint.html",
        endpoint=record,
        secret=secret,
        log=delivery_log(record.id),
        waiting=waiting_deliveries(record.id),
        confirm=ConfirmForm(formdata=None),
        now=current_clock().now(),
    ), status


def _endpoint_form(posted: bool = True) -> EndpointForm:
    """The form as posted, or blank with every event ticked."""
    form = EndpointForm() if posted else EndpointForm(formdata=None, events=[event.value for event in WebhookEventType])
    form.department_id.choices = [
        (department.id, department.name) for department in db.session.scalars(visible_departments(current_actor()))
    ]
    form.events.choices = [(event.value, event_label(event)) for event in WebhookEventType]
    return form
