"""One's second factors on the profile: an authenticator app, recovery codes and passkeys; an admin's reset."""

from __future__ import annotations

from typing import Any

import segno
from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from rris.access.domain.permissions import second_factor_required
from rris.access.queries.scoping import get_visible, managed_accounts
from rris.accounts.domain.second_factor import provisioning_uri
from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.services.passkeys import (
    RelyingParty,
    passkeys_of,
    register_passkey,
    registration_ceremony,
    remove_passkey,
)
from rris.accounts.services.second_factor import (
    confirm_totp,
    pending_totp_secret,
    regenerate_recovery_codes,
    remove_totp,
    reset_second_factor,
    second_factor_status,
)
from rris.accounts.web.second_factor_forms import ConfirmAppForm, ResetSecondFactorForm
from rris.common.domain.errors import InvalidInput
from rris.common.web.authentication import current_actor
from rris.common.web.forms import ConfirmForm, run_form
from rris.common.web.redirects import same_site_path
from rris.context import current_clock, current_settings

bp = Blueprint("second_factor_setup", __name__)
_CHALLENGE_KEY = "passkey_registration_challenge"


@bp.get("/profile/security")
@login_required
def manage(confirm_form: ConfirmAppForm | None = None, status_code: int = 200) -> Any:
    status = second_factor_status(current_user.id)
    secret = None if status.totp else pending_totp_secret(current_user.id, _keys(), current_clock().now())
    uri = provisioning_uri(secret, current_user.email) if secret else None
    return render_template(
        "account/second_factor.html",
        status=status,
        required=second_factor_required(current_user.role),
        secret=secret,
        qr_code=segno.make(uri, error="m").svg_data_uri(scale=5) if uri else None,
        confirm_form=confirm_form or ConfirmAppForm(formdata=None),
        action_form=ConfirmForm(),
        passkeys=passkeys_of(current_user.id),
    ), status_code


@bp.post("/profile/security/app")
@login_required
def confirm_app() -> Any:
    form = ConfirmAppForm()
    if confirmed := run_form(
        form,
        lambda: confirm_totp(
            current_user.id, form.code.data or "", _keys(), current_clock().now(), request.remote_addr
        ),
    ):
        flash(_("Your authenticator app is set up. From now on RRIS asks for its code after your password."), "success")
        if confirmed.result:
            return _show_recovery_codes(confirmed.result)
        return redirect(url_for(".manage"))
    return manage(confirm_form=form, status_code=422)


@bp.post("/profile/security/app/remove")
@login_required
def remove_app() -> Any:
    if ConfirmForm().validate_on_submit():
        remove_totp(current_user, current_clock().now(), request.remote_addr)
        flash(_("Your authenticator app is removed."), "success")
    return redirect(url_for(".manage"))


@bp.post("/profile/security/recovery-codes")
@login_required
def new_recovery_codes() -> Any:
    if not ConfirmForm().validate_on_submit():
        return redirect(url_for(".manage"))
    return _show_recovery_codes(
        regenerate_recovery_codes(current_user.id, _keys(), current_clock().now(), request.remote_addr)
    )


@bp.post("/profile/security/passkeys/options")
@login_required
def passkey_options() -> Any:
    ceremony = registration_ceremony(current_user, RelyingParty.from_settings(current_settings()))
    session[_CHALLENGE_KEY] = ceremony.challenge
    return current_app.response_class(ceremony.options_json, mimetype="application/json")


@bp.post("/profile/security/passkeys")
@login_required
def add_passkey() -> Any:
    body = request.get_json(silent=True)
    challenge = session.pop(_CHALLENGE_KEY, None)
    if not isinstance(body, dict) or not isinstance(body.get("credential"), dict):
        raise InvalidInput({"credential": _("Send the new passkey as JSON: a name and the credential.")})
    if not challenge:
        raise InvalidInput({"credential": _("Start adding the passkey again.")})
    record = register_passkey(
        current_user.id,
        str(body.get("name") or ""),
        body["credential"],
        challenge,
        RelyingParty.from_settings(current_settings()),
        current_clock().now(),
        request.remote_addr,
    )
    flash(_("The passkey %(name)s is added.", name=record.name), "success")
    return jsonify({"id": record.id, "name": record.name, "redirect": url_for(".manage")}), 201


@bp.post("/profile/security/passkeys/<id:passkey_id>/remove")
@login_required
def drop_passkey(passkey_id: int) -> Any:
    if ConfirmForm().validate_on_submit():
        name = remove_passkey(current_user, passkey_id, current_clock().now(), request.remote_addr)
        flash(_("The passkey %(name)s is removed.", name=name), "success")
    return redirect(url_for(".manage"))


@bp.post("/accounts/<id:account_id>/second-factor/reset")
@login_required
def reset(account_id: int) -> Any:
    # Out of the actor's reach is not found, as on the account's own page.
    get_visible(managed_accounts(current_actor()), User, account_id)
    form = ResetSecondFactorForm()
    back = same_site_path(form.next.data) or url_for("directory.home")
    if done := run_form(
        form,
        lambda: reset_second_factor(
            current_actor(), account_id, form.reason.data or "", current_clock().now(), request.remote_addr
        ),
    ):
        flash(
            _(
                "The second factor of %(name)s is reset; they set up a new one at their next sign-in.",
                name=done.result.name,
            ),
            "success",
        )
        return redirect(back)
    for name, problems in form.errors.items():
        label = form[name].label.text if name in form else ""
        for problem in problems:
            flash(f"{label}: {problem}" if label else str(problem), "error")
    for problem in form.form_errors:
        flash(str(problem), "error")
    return redirect(back)


@bp.app_template_global("second_factor_reset_form")
def reset_form() -> ResetSecondFactorForm:
    """The admin's reset form for the partial `accounts/_second_factor_admin.html`, coming back here."""
    return ResetSecondFactorForm(formdata=None, next=request.full_path.rstrip("?"))


def _show_recovery_codes(codes: list[str]) -> Any:
    return render_template("account/recovery_codes.html", codes=codes)


def _keys() -> SecondFactorKeys:
    return SecondFactorKeys(current_settings().second_factor_key)
