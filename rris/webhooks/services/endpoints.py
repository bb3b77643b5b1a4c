"""Registering, rotating, disabling and enabling a department's webhook endpoints."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext

from rris.access.domain.permissions import Actor, Capability, can
from rris.access.queries.scoping import get_visible, visible_departments
from rris.audit.domain.events import DETAIL_VALUE_MAX_CHARS, AuditEvent
from rris.audit.services.trail import record_audit
from rris.common.domain.errors import Forbidden, InvalidInput
from rris.common.services.transactions import begin_write
from rris.extensions import db
from rris.pool.models.geography import Department
from rris.webhooks.domain.addresses import URL_MAX_CHARS, UrlProblem, addresses_problem, url_problem
from rris.webhooks.domain.delivery import DeliveryPolicy
from rris.webhooks.domain.events import WebhookEventType
from rris.webhooks.domain.signing_keys import new_secret
from rris.webhooks.integrations.receivers import resolve
from rris.webhooks.models.webhooks import DESCRIPTION_MAX_CHARS, WebhookEndpoint
from rris.webhooks.queries.endpoints import visible_endpoint

# Why an endpoint is disabled (`WebhookEndpoint.disabled_reason`; the page words each).
DISABLED_BY_PERSON = "by_person"
DISABLED_FOR_FAILURES = "failures"


@dataclass(frozen=True)
class EndpointInput:
    """What a focal point or admin submits to register an endpoint."""

    department_id: int
    url: str
    description: str
    events: frozenset[WebhookEventType]


def create_endpoint(
    data: EndpointInput, actor: Actor, now: datetime, policy: DeliveryPolicy, origin: str | None = None
) -> WebhookEndpoint:
    """Register an endpoint with a fresh secret (shown once by the page), after checking its URL; audited."""
    _require(actor)
    errors: dict[str, str] = {}
    url = data.url.strip()
    problem = _url_problem(url, policy.allow_loopback)  # resolves the host: before taking the write lock
    if problem is not None:
        errors["url"] = problem
    begin_write()
    department = _department(data.department_id, actor)
    if department is None:
        errors["department_id"] = _("Choose one of your departments.")
    if not data.events:
        errors["events"] = _("Choose at least one event.")
    if len(data.description) > DESCRIPTION_MAX_CHARS:
        errors["description"] = ngettext(
            "Keep the description to %(num)d character.",
            "Keep the description to %(num)d characters.",
            DESCRIPTION_MAX_CHARS,
        )
    if errors or department is None:
        db.session.rollback()
        raise InvalidInput(errors)
    endpoint = WebhookEndpoint(
        department=department,
        url=url,
        description=data.description.strip(),
        events=_events_text(data.events),
        secret=new_secret(),
        active=True,
        failures_in_a_row=0,
        created_at=now,
        created_by_id=actor.user_id,
    )
    db.session.add(endpoint)
    db.session.flush()
    _audit("created", endpoint, actor, origin, now, events=endpoint.events)
    db.session.commit()
    return endpoint


def rotate_secret(
    endpoint_id: int, actor: Actor, now: datetime, overlap: timedelta, origin: str | None = None
) -> WebhookEndpoint:
    """Give the endpoint a new secret; the old one keeps signing too for `overlap`; audited."""
    _require(actor)
    begin_write()
    endpoint = visible_endpoint(actor, endpoint_id)
    endpoint.previous_secret = endpoint.secret if overlap > timedelta(0) else None
    endpoint.previous_secret_until = now + overlap if overlap > timedelta(0) else None
    endpoint.secret = new_secret()
    endpoint.rotated_at = now
    _audit("secret_rotated", endpoint, actor, origin, now, overlap_hours=str(int(overlap.total_seconds() // 3600)))
    db.session.commit()
    return endpoint


def set_active(
    endpoint_id: int, active: bool, actor: Actor, now: datetime, origin: str | None = None
) -> WebhookEndpoint:
    """Disable an endpoint (its waiting deliveries fail) or enable it again (new changes only); audited."""
    _require(actor)
    begin_write()
    endpoint = visible_endpoint(actor, endpoint_id)
    if endpoint.active != active:
        endpoint.active = active
        endpoint.disabled_at = None if active else now
        endpoint.disabled_reason = None if active else DISABLED_BY_PERSON
        endpoint.failures_in_a_row = 0
        _audit("enabled" if active else "disabled", endpoint, actor, origin, now)
    db.session.commit()
    return endpoint


def disable_for_failures(endpoint: WebhookEndpoint, now: datetime) -> None:
    """Disable an endpoint whose deliveries kept failing; the caller commits."""
    endpoint.active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = DISABLED_FOR_FAILURES
    _audit("disabled", endpoint, None, None, now, failures_in_a_row=str(endpoint.failures_in_a_row))


def _audit(
    what: str, endpoint: WebhookEndpoint, actor: Actor | None, origin: str | None, now: datetime, **details: str
) -> None:
    """Record a change of an endpoint in the audit trail, in the caller's transaction."""
    event = AuditEvent(
        action=f"webhook_endpoint.{what}",
        subject_type="webhook_endpoint",
        subject_id=str(endpoint.id),
        details={"department_id": str(endpoint.department_id), "url": endpoint.url[:DETAIL_VALUE_MAX_CHARS], **details},
        country_id=endpoint.department.country_id,
    )
    record_audit(event, actor, origin, now)


def _require(actor: Actor) -> None:
    if not can(actor, Capability.MANAGE_WEBHOOKS):
        raise Forbidden(_("Your role does not manage webhooks."))


def _department(department_id: int, actor: Actor) -> Department | None:
    try:
        return get_visible(visible_departments(actor), Department, department_id)
    except LookupError:
        return None


def _url_problem(url: str, allow_loopback: bool) -> str | None:
    """The URL's problem in words, checking its face first and then what its host resolves to."""
    if not url:
        return _("Enter the URL of your case system's endpoint.")
    problem = url_problem(url, allow_loopback) or addresses_problem(resolve(url), allow_loopback)
    return None if problem is None else url_problem_text(problem)


def url_problem_text(problem: UrlProblem) -> str:
    """What to tell the person who entered a refused URL."""
    texts = {
        UrlProblem.MALFORMED: _("Enter a full URL such as https://cases.example.gov/rris-webhooks."),
        UrlProblem.TOO_LONG: ngettext(
            "Keep the URL to %(num)d character.", "Keep the URL to %(num)d characters.", URL_MAX_CHARS
        ),
        UrlProblem.NOT_HTTPS: _("The URL must start with https://."),
        UrlProblem.CREDENTIALS: _("Leave the user name and password out of the URL: every message is signed."),
        UrlProblem.FRAGMENT: _("Leave the part after # out of the URL."),
        UrlProblem.UNRESOLVABLE: _("The URL's host name cannot be found."),
        UrlProblem.PRIVATE_ADDRESS: _(
            "The URL leads to a private or local network address; RRIS sends webhooks only to public addresses."
        ),
    }
    return texts[problem]


def _events_text(events: Iterable[WebhookEventType]) -> str:
    return " ".join(sorted(event.value for event in events))
