"""The profile page: one's own details, password, mobile phone, API tokens and signed-in browsers."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from rris.access.domain.permissions import Capability, can
from rris.accounts.services.accounts import change_password
from rris.accounts.services.api_tokens import create_api_token, live_api_tokens, revoke_api_token
from rris.accounts.services.preferences import choose_interface_locale
from rris.accounts.services.sessions import end_other_sessions, end_session_by_id, is_current, live_sessions
from rris.accounts.web.language import LanguageForm
from rris.accounts.web.phone_forms import OnCallForm, PhoneCodeForm, PhoneForm, SmsOptInForm
from rris.calls.domain.call_names import CALL_NAME_MAX_CHARS, first_name
from rris.calls.services.call_access import name_in_call
from rris.calls.services.call_names import choose_call_name
from rris.common.domain.errors import InvalidInput, TooManyAttempts
from rris.common.domain.locales import best_accepted, interface_locale, interface_locales
from rris.common.web.authentication import current_actor, current_session_secret
from rris.common.web.forms import ApiTokenForm, CallNameForm, ChangePasswordForm, ConfirmForm, run_form, show_errors
from rris.common.web.page_locale import remember_locale
from rris.context import current_clock, current_settings
from rris.enums import CallRole
from rris.ondemand.queries.on_call import is_phone_on_call
from rris.ondemand.services.on_call import set_phone_on_call
from rris.phone.services.phone_numbers import (
    MAX_CODES_PER_HOUR,
    confirm_verification,
    pending_verification,
    remove_phone,
    set_sms_opt_in,
    start_verification,
)

bp = Blueprint("account", __name__, url_prefix="/profile")


@bp.get("")
@login_required
def profile(
    password_form: ChangePasswordForm | None = None,
    token_form: ApiTokenForm | None = None,
    new_token: str | None = None,
    status: int = 200,
    phone_form: PhoneForm | None = None,
    code_form: PhoneCodeForm | None = None,
    sms_form: SmsOptInForm | None = None,
    call_name_form: CallNameForm | None = None,
    language_form: LanguageForm | None = None,
    on_call_form: OnCallForm | None = None,
) -> Any:
    now = current_clock().now()
    secret = current_session_secret()
    live = live_sessions(current_user.id, now, current_settings().session_idle)
    browsers = [(record, is_current(record, secret)) for record in live]
    return render_template(
        "account/profile.html",
        password_form=password_form or ChangePasswordForm(),
        token_form=token_form or ApiTokenForm(),
        confirm_form=ConfirmForm(),
        tokens=live_api_tokens(current_user),
        may_use_api=can(current_actor(), Capability.USE_API),
        browsers=browsers,
        new_token=new_token,
        phone_form=phone_form or PhoneForm(formdata=None),
        code_form=code_form or PhoneCodeForm(formdata=None),
        sms_form=sms_form or SmsOptInForm(formdata=None, sms_opt_in=current_user.sms_opt_in),
        pending_code=pending_verification(current_user, now),
        call_name_form=call_name_form or _call_name_form(),
        call_name_shown=name_in_call(current_user, CallRole.INTERPRETER),
        call_name_default=first_name(current_user.name),
        call_name_max=CALL_NAME_MAX_CHARS,
        language_form=language_form or _language_form(formdata=None, locale=current_user.locale or ""),
        on_call_form=on_call_form or _on_call_form(),
    ), status


@bp.post("/password")
@login_required
def password() -> Any:
    form = ChangePasswordForm()
    changed = run_form(
        form,
        lambda: change_password(
            current_user,
            form.current_password.data,
            form.new_password.data,
            current_clock().now(),
            keep_session=current_session_secret(),
        ),
    )
    if changed:
        flash(_("Your password is changed. Other browsers signed in as you were signed out."), "success")
        return redirect(url_for("account.profile"))
    return profile(password_form=form, status=422)


@bp.post("/phone")
@login_required
def add_phone() -> Any:
    form, now, key = PhoneForm(), current_clock().now(), current_settings().secret_key
    try:
        started = run_form(form, lambda: start_verification(current_user, form.phone.data, now, key))
    except TooManyAttempts as throttled:
        show_errors(form, InvalidInput({"phone": _too_many_codes(throttled)}))
        return profile(phone_form=form, status=429)
    if started:
        flash(_("We sent a code to %(phone)s. Enter it below.", phone=current_user.phone), "success")
        return redirect(url_for("account.profile", _anchor="phone"))
    return profile(phone_form=form, status=422)


@bp.post("/phone/confirm")
@login_required
def confirm_phone() -> Any:
    form, now, key = PhoneCodeForm(), current_clock().now(), current_settings().secret_key
    if run_form(form, lambda: confirm_verification(current_user, form.code.data, now, key)):
        flash(_("Your mobile number %(phone)s is verified.", phone=current_user.phone), "success")
        return redirect(url_for("account.profile", _anchor="phone"))
    return profile(code_form=form, status=422)


@bp.post("/phone/sms")
@login_required
def sms_reminders() -> Any:
    form = SmsOptInForm()
    if run_form(form, lambda: set_sms_opt_in(current_user, form.sms_opt_in.data, current_clock().now())):
        if form.sms_opt_in.data:
            flash(_("You will get reminders by SMS."), "success")
        else:
            flash(_("You will get no more reminders by SMS."), "success")
        return redirect(url_for("account.profile", _anchor="phone"))
    return profile(sms_form=form, status=422)


@bp.post("/phone/on-call")
@login_required
def phone_on_call() -> Any:
    if current_user.interpreter_profile is None:
        abort(404)
    form = OnCallForm()
    if run_form(form, lambda: set_phone_on_call(current_user, form.phone_on_call.data, current_clock().now())):
        if form.phone_on_call.data:
            flash(_("RRIS will call your phone when a call that cannot wait finds nobody."), "success")
        else:
            flash(_("RRIS will no longer call your phone for calls that cannot wait."), "success")
        return redirect(url_for("account.profile", _anchor="phone"))
    return profile(on_call_form=form, status=422)


@bp.post("/phone/remove")
@login_required
def remove_phone_number() -> Any:
    remove_phone(current_user, current_clock().now())
    flash(_("Your mobile number is removed. You will get no SMS and no calls on it."), "success")
    return redirect(url_for("account.profile", _anchor="phone"))


@bp.post("/call-name")
@login_required
def call_name() -> Any:
    if current_user.interpreter_profile is None:
        abort(404)
    form = CallNameForm()
    if chosen := run_form(form, lambda: choose_call_name(current_user, form.call_name.data, current_clock().now())):
        if chosen.result:
            flash(_("In calls you are now shown as “%(name)s”.", name=chosen.result), "success")
        else:
            flash(_("In calls you are now shown by your first name."), "success")
        return redirect(url_for("account.profile", _anchor="call-name"))
    return profile(call_name_form=form, status=422)


@bp.post("/language")
@login_required
def language() -> Any:
    form = _language_form()
    if chosen := run_form(form, lambda: choose_interface_locale(current_user, form.locale.data, current_clock().now())):
        if chosen.result:
            flash(_("RRIS speaks to you in this language from now on, in every browser."), "success")
        else:
            flash(_("RRIS now speaks to you in the language your browser asks for."), "success")
        response = redirect(url_for("account.profile", _anchor="language"))
        remember_locale(response, chosen.result)  # this browser's switcher says the same from now on
        return response
    return profile(language_form=form, status=422)


@bp.post("/tokens")
@login_required
def create_token() -> Any:
    form, now = ApiTokenForm(), current_clock().now()
    if created := run_form(
        form, lambda: create_api_token(current_user, form.name.data, now, _days_after(now, form.expires_in_days.data))
    ):
        _token, secret = created.result
        return profile(token_form=ApiTokenForm(formdata=None), new_token=secret)
    return profile(token_form=form, status=422)


@bp.post("/tokens/<id:token_id>/revoke")
@login_required
def revoke_token(token_id: int) -> Any:
    if not revoke_api_token(current_user, token_id, current_clock().now()):
        abort(404)
    flash(_("The token is revoked; systems using it are refused from now on."), "success")
    return redirect(url_for("account.profile"))


@bp.post("/sessions/<id:session_id>/end")
@login_required
def end_browser(session_id: int) -> Any:
    if not end_session_by_id(current_user.id, session_id, current_clock().now()):
        abort(404)
    flash(_("That browser is signed out."), "success")
    return redirect(url_for("account.profile"))


@bp.post("/sessions/end-others")
@login_required
def end_other_browsers() -> Any:
    count = end_other_sessions(current_user.id, current_clock().now(), current_session_secret())
    flash(ngettext("%(num)d other browser signed out.", "%(num)d other browsers signed out.", count), "success")
    return redirect(url_for("account.profile"))


def _days_after(now: datetime, days: int | None) -> datetime | None:
    return now + timedelta(days=days) if days else None


def _call_name_form() -> CallNameForm | None:
    profile = current_user.interpreter_profile
    if profile is None:
        return None
    return CallNameForm(formdata=None, call_name=profile.call_name or "")


def _on_call_form() -> OnCallForm | None:
    profile = current_user.interpreter_profile
    if profile is None:
        return None
    return OnCallForm(formdata=None, phone_on_call=is_phone_on_call(profile.id))


def _language_form(**kwargs: Any) -> LanguageForm:
    asked = interface_locale(best_accepted(request.accept_languages)) or interface_locales()[0]
    browser_choice = _("The language my browser asks for (now %(name)s)", name=asked.native_name)
    return LanguageForm(browser_choice=browser_choice, **kwargs)


def _too_many_codes(throttled: TooManyAttempts) -> str:
    minutes = max(1, math.ceil((throttled.retry_at - current_clock().now()).total_seconds() / 60))
    return ngettext(
        "You asked for %(count)d codes within an hour. Ask again in %(num)d minute.",
        "You asked for %(count)d codes within an hour. Ask again in %(num)d minutes.",
        minutes,
        count=MAX_CODES_PER_HOUR,
    )
