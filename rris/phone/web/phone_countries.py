"""Coordinators keep the countries the telephone fallback may call (near the pool's pages)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, TextAreaField

from rris.access.domain.permissions import Capability
from rris.common.domain.errors import Conflict, InvalidInput
from rris.common.services.wording import region_name
from rris.common.web.authentication import require
from rris.common.web.forms import show_errors
from rris.common.web.presenting import region_title
from rris.context import current_clock, current_settings
from rris.phone.services.callable_countries import (
    callable_countries,
    interpreter_phone_regions,
    list_history,
    parse_regions,
    pool_regions,
    save_callable_countries,
)

bp = Blueprint("phone_countries", __name__, url_prefix="/pool/phone-countries")


class CallableCountriesForm(FlaskForm):
    countries = TextAreaField(_l("Countries RRIS may call"))
    based_on = HiddenField()


@bp.get("")
@require(Capability.MANAGE_POOL)
def index(form: CallableCountriesForm | None = None, status: int = 200) -> Any:
    current = callable_countries()
    if form is None:
        form = CallableCountriesForm(
            formdata=None,
            countries=" ".join(sorted(current.regions)),
            based_on=str(current.version.id) if current.version else "",
        )
    phones = interpreter_phone_regions()
    pool = pool_regions()
    shown = sorted(current.regions | set(phones) | pool, key=region_name)
    settings = current_settings()
    return render_template(
        "pool/phone_countries.html",
        form=form,
        current=current,
        rows=[(code, region_title(code), phones.get(code, 0), code in pool, code in current.regions) for code in shown],
        left_out=sorted(code for code in phones if code not in current.regions),
        history=list_history(),
        per_booking=settings.phone_calls_per_booking,
        per_day=settings.phone_calls_per_day,
    ), status


@bp.post("")
@require(Capability.MANAGE_POOL)
def save() -> Any:
    form = CallableCountriesForm()
    if form.validate_on_submit():
        based_on = int(form.based_on.data) if (form.based_on.data or "").isdigit() else None
        try:
            regions = parse_regions(form.countries.data)
            save_callable_countries(regions, based_on, current_user, current_clock().now())
        except InvalidInput as problem:
            show_errors(form, problem)
        except Conflict as lost:
            # Their entry stays in the field; saving it again, after a look at the list, is deliberate.
            form.form_errors.append(str(lost))
            newest = callable_countries().version
            form.based_on.data = str(newest.id) if newest else ""
            return index(form=form, status=409)
        else:
            flash(_("Saved. RRIS calls numbers in these countries only, from now on."), "success")
            return redirect(url_for("phone_countries.index"))
    return index(form=form, status=422)
