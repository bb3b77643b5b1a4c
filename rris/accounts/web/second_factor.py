"""The second step of signing in: a code from the app, a recovery code, or a passkey."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
from rris.accounts.models.accounts import User
from rris.accounts.services.passkeys import RelyingParty, passkeys_of, sign_in_ceremony, verify_passkey
from rris.accounts.services.second_factor import second_factor_status
from rris.accounts.services.second_step import SecondStep, verify_code
from rris.accounts.services.sign_in import throttle_policy
from rris.accounts.web.second_factor_forms import SecondStepForm
from rris.common.domain.errors import InvalidInput
from rris.common.web.authentication import second_step_then, second_step_user_id, sign_in
from rris.common.web.forms import run_form
from rris.common.web.redirects import same_site_path
from rris.context import current_clock, current_settings
from rris.extensions import db

bp = Blueprint("second_factor", __name__, url_prefix="/login/second-factor")
_CHALLENGE_KEY = "passkey_sign_in_challenge"


@bp.route("", methods=["GET", "POST"])
def step() -> Any:
    user_id = second_step_user_id()
    if user_id is None:
        flash(_("Sign in with your password first; the second step waits only a few minutes."), "info")
        return redirect(url_for("auth.login"))
    form, now, settings = SecondStepForm(), current_clock().now(), current_settings()
    keys, policy = SecondFactorKeys(settings.second_factor_key), throttle_policy(settings)
    if passed := run_form(
        form, lambda: verify_code(user_id, form.code.data or "", request.remote_addr or "", now, policy, keys)
    ):
        return redirect(_finish(passed.result))
    status = second_factor_status(user_id)
    return render_template(
        "auth/second_factor.html", form=form, has_app=status.totp, has_passkeys=status.passkeys > 0
    ), 422 if form.errors else 200


@bp.post("/passkey/options")
def passkey_options() -> Any:
    user_id = _pending_or_refuse()
    if not passkeys_of(user_id):
        raise InvalidInput({"credential": _("No passkey is registered for this account.")})
    ceremony = sign_in_ceremony(user_id, RelyingParty.from_settings(current_settings()))
    session[_CHALLENGE_KEY] = ceremony.challenge
    return current_app.response_class(ceremony.options_json, mimetype="application/json")


@bp.post("/passkey")
def passkey() -> Any:
    user_id = _pending_or_refuse()
    challenge = session.pop(_CHALLENGE_KEY, None)
    credential = request.get_json(silent=True)
    if not challenge or not isinstance(credential, dict):
        raise InvalidInput({"credential": _("Start the passkey sign-in again.")})
    settings = current_settings()
    passed = verify_passkey(
        user_id,
        credential,
        challenge,
        RelyingParty.from_settings(settings),
        request.remote_addr or "",
        current_clock().now(),
        throttle_policy(settings),
    )
    return jsonify({"redirect": _finish(passed)})


def _pending_or_refuse() -> int:
    user_id = second_step_user_id()
    if user_id is None:
        raise InvalidInput(
            {"credential": _("Sign in with your password first; the second step waits only a few minutes.")}
        )
    return user_id


def _finish(passed: SecondStep) -> str:
    """Make the session a full one; tell how many recovery codes are left when one was spent."""
    then = second_step_then()
    user = db.session.get_one(User, passed.user.id)
    sign_in(user)
    if passed.recovery_codes_left is not None:
        left = passed.recovery_codes_left
        flash(
            ngettext(
                "You signed in with a recovery code. %(num)d code is left; "
                "make new ones on the second-factor page of your account.",
                "You signed in with a recovery code. %(num)d codes are left; "
                "make new ones on the second-factor page of your account.",
                left,
            ),
            "info",
        )
    return same_site_path(then) or url_for("directory.home")
