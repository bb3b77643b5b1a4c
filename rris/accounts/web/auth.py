"""Signing in and out, and resetting a forgotten password."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from rris.accounts.services.accounts import ResetLinks, request_password_reset, reset_password, user_for_reset_token
from rris.accounts.services.second_factor import has_second_factor
from rris.accounts.services.sign_in import authenticate, throttle_policy
from rris.common.web.authentication import begin_second_step, sign_in, sign_out
from rris.common.web.forms import ForgotPasswordForm, ResetPasswordForm, SignInForm, run_form
from rris.common.web.redirects import same_site_path
from rris.context import current_clock, current_settings

bp = Blueprint("auth", __name__)


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    if current_user.is_authenticated and request.method == "GET":
        return redirect(url_for("directory.home"))
    form, now, policy = SignInForm(), current_clock().now(), throttle_policy(current_settings())
    if signed := run_form(
        form, lambda: authenticate(form.email.data, form.password.data, request.remote_addr or "", now, policy)
    ):
        if has_second_factor(signed.result.id):
            begin_second_step(signed.result, same_site_path(request.args.get("next")))
            return redirect(url_for("second_factor.step"))
        sign_in(signed.result)
        return redirect(_safe_next(request.args.get("next")))
    status = 422 if form.errors or form.form_errors else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
def logout() -> Any:
    sign_out()  # CSRFProtect has checked the form's token before this runs
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
def forgot_password() -> Any:
    form, now, links = ForgotPasswordForm(), current_clock().now(), ResetLinks.from_settings(current_settings())
    if run_form(form, lambda: request_password_reset(form.email.data, now, links)):
        flash(_("If an account uses that address, a reset link is on its way. It works for a limited time."), "info")
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset(token: str) -> Any:
    now, secret_key = current_clock().now(), current_settings().secret_key
    user_for_reset_token(token, now, secret_key)  # an invalid link answers 422 before any form is shown
    form = ResetPasswordForm()
    if run_form(form, lambda: reset_password(token, form.password.data, now, secret_key)):
        flash(_("Your password is changed. Sign in with the new one."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/reset.html", form=form, token=token), status


@bp.route("/invitation/<token>", methods=["GET", "POST"])
def accept_invitation(token: str) -> Any:
    """The invitation's link: the reset's mechanism, worded as a welcome."""
    now, secret_key = current_clock().now(), current_settings().secret_key
    user = user_for_reset_token(token, now, secret_key)  # an invalid link answers 422 before any form is shown
    form = ResetPasswordForm()
    if run_form(form, lambda: reset_password(token, form.password.data, now, secret_key)):
        flash(_("Your password is set. Sign in with it."), "success")
        return redirect(url_for("auth.login"))
    status = 422 if form.errors else 200
    return render_template("auth/reset.html", form=form, token=token, welcome=user), status


def _safe_next(target: str | None) -> str:
    """Only redirect to a path on this site after sign-in (no open redirect)."""
    return same_site_path(target) or url_for("directory.home")
