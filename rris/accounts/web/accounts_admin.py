"""The accounts one administers: the list, an account's page, inviting and changing someone.

Who manages whom is `rris.access.domain.permissions.may_manage_account`; an account outside it
is not found here (404), as any record out of reach.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_wtf import FlaskForm

from rris.access.domain.permissions import Capability, grantable_roles, may_change_role
from rris.access.queries.actors import account_facts
from rris.access.queries.scoping import get_visible, managed_accounts
from rris.accounts.models.accounts import User
from rris.accounts.queries.account_list import AccountFilter, filtered_accounts
from rris.accounts.services import account_changes, invitations
from rris.accounts.services.account_audit import Acting
from rris.accounts.services.accounts import ResetLinks
from rris.accounts.services.placement import awaits_password
from rris.accounts.services.sessions import live_sessions
from rris.accounts.web.admin_choices import country_choices, department_choices, role_choices
from rris.accounts.web.admin_forms import (
    DeactivateAccountForm,
    InviteForm,
    PlacementForm,
    ReactivateAccountForm,
    VersionForm,
    posted_version,
)
from rris.common.web.authentication import current_actor, require
from rris.common.web.forms import run_form
from rris.context import current_clock, current_settings
from rris.enums import Role

bp = Blueprint("accounts_admin", __name__)


def acting() -> Acting:
    """Who is changing something, from where, now."""
    return Acting(current_actor(), request.remote_addr, current_clock().now())


@bp.get("/accounts")
@require(Capability.MANAGE_ACCOUNTS)
def index() -> Any:
    actor = current_actor()
    wanted = _filter(request.args)
    return render_template(
        "accounts/index.html",
        accounts=filtered_accounts(actor, wanted),
        wanted=wanted,
        roles=[Role(value) for value in {*(r.value for r in grantable_roles(actor)), *_listed_roles(actor)}],
        countries=country_choices(actor),
        departments=department_choices(actor, open_only=False),
        may_invite=bool(grantable_roles(actor)),
    )


@bp.route("/accounts/new", methods=["GET", "POST"])
@require(Capability.MANAGE_ACCOUNTS)
def invite() -> Any:
    actor = current_actor()
    if not grantable_roles(actor):
        abort(403)
    form = InviteForm()
    _offer(form)
    links = ResetLinks.for_invitations(current_settings())
    if created := run_form(
        form,
        lambda: invitations.invite(
            invitations.Invitation(
                form.email.data or "", form.name.data or "", form.placement(), form.locale.data or ""
            ),
            acting(),
            links,
        ),
    ):
        flash(_("The invitation is on its way to %(email)s.", email=(form.email.data or "").strip()), "success")
        return redirect(url_for("accounts_admin.account", user_id=created.result))
    return render_template("accounts/invite.html", form=form), 422 if form.errors else 200


@bp.get("/accounts/<id:user_id>")
@require(Capability.MANAGE_ACCOUNTS)
def account(user_id: int, forms: dict[str, FlaskForm] | None = None, status: int = 200) -> Any:
    actor = current_actor()
    user = get_visible(managed_accounts(actor), User, user_id)
    shown = {"version": user.version}
    placement_form = PlacementForm(
        formdata=None,
        data={
            **shown,
            "role": user.role.value,
            "department_id": user.department_id or "",
            "country_id": user.country_id or "",
        },
    )
    _offer(placement_form)
    page_forms: dict[str, FlaskForm] = {
        "placement": placement_form,
        "deactivate": DeactivateAccountForm(formdata=None, data=shown),
        "reactivate": ReactivateAccountForm(formdata=None, data=shown),
        "button": VersionForm(formdata=None, data=shown),
        **(forms or {}),
    }
    settings = current_settings()
    return render_template(
        "accounts/account.html",
        account=user,
        forms=page_forms,
        may_change_role=may_change_role(actor, account_facts(user)),
        awaits_password=awaits_password(user),
        sessions=live_sessions(user.id, current_clock().now(), settings.session_idle),
    ), status


@bp.post("/accounts/<id:user_id>/placement")
@require(Capability.MANAGE_ACCOUNTS)
def change_placement(user_id: int) -> Any:
    get_visible(managed_accounts(current_actor()), User, user_id)
    form = PlacementForm()
    _offer(form)
    if run_form(
        form,
        lambda: account_changes.change_placement(
            user_id, posted_version(form), form.placement(), form.reason.data, acting()
        ),
    ):
        flash(_("Saved. They are signed out everywhere; the change holds from their next sign-in."), "success")
        return redirect(url_for("accounts_admin.account", user_id=user_id))
    return account(user_id, forms={"placement": form}, status=422)


@bp.post("/accounts/<id:user_id>/deactivate")
@require(Capability.MANAGE_ACCOUNTS)
def deactivate(user_id: int) -> Any:
    get_visible(managed_accounts(current_actor()), User, user_id)
    form = DeactivateAccountForm()
    if run_form(form, lambda: account_changes.deactivate(user_id, posted_version(form), form.reason.data, acting())):
        flash(_("The account is inactive: no sign-in, no API tokens, signed out everywhere."), "success")
        return redirect(url_for("accounts_admin.account", user_id=user_id))
    return account(user_id, forms={"deactivate": form}, status=422)


@bp.post("/accounts/<id:user_id>/reactivate")
@require(Capability.MANAGE_ACCOUNTS)
def reactivate(user_id: int) -> Any:
    get_visible(managed_accounts(current_actor()), User, user_id)
    form = ReactivateAccountForm()
    if run_form(form, lambda: account_changes.reactivate(user_id, posted_version(form), form.reason.data, acting())):
        flash(_("The account is active again."), "success")
        return redirect(url_for("accounts_admin.account", user_id=user_id))
    return account(user_id, forms={"reactivate": form}, status=422)


@bp.post("/accounts/<id:user_id>/sessions/end")
@require(Capability.MANAGE_ACCOUNTS)
def end_sessions(user_id: int) -> Any:
    get_visible(managed_accounts(current_actor()), User, user_id)
    form = VersionForm()
    if ended := run_form(form, lambda: account_changes.end_sessions_of(user_id, acting())):
        flash(ngettext("Signed out of %(num)d browser.", "Signed out of %(num)d browsers.", ended.result), "success")
        return redirect(url_for("accounts_admin.account", user_id=user_id))
    return account(user_id, status=422)


@bp.post("/accounts/<id:user_id>/invitation")
@require(Capability.MANAGE_ACCOUNTS)
def resend_invitation(user_id: int) -> Any:
    user = get_visible(managed_accounts(current_actor()), User, user_id)
    form = VersionForm()
    links = ResetLinks.for_invitations(current_settings())
    if run_form(form, lambda: invitations.resend_invitation(user_id, posted_version(form), acting(), links)):
        flash(
            _("A new invitation is on its way to %(email)s; the last link no longer works.", email=user.email),
            "success",
        )
        return redirect(url_for("accounts_admin.account", user_id=user_id))
    return account(user_id, status=422)


def _offer(form: InviteForm | PlacementForm) -> None:
    actor = current_actor()
    form.offer(role_choices(actor), department_choices(actor, open_only=True), country_choices(actor))


def _listed_roles(actor: Any) -> set[str]:
    return {Role.INTERPRETER.value} if actor.role in (Role.ADMIN, Role.COORDINATOR) else set()


def _filter(args: Any) -> AccountFilter:
    role = args.get("role", "")
    status = args.get("status", "")
    return AccountFilter(
        role=Role(role) if role in Role._value2member_map_ else None,
        country_id=args.get("country", type=int),
        department_id=args.get("department", type=int),
        active={"active": True, "inactive": False}.get(status),
        search=args.get("q", "")[:200],
    )
