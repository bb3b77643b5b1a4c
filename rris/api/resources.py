"""API resources: the caller, departments, interpreters and languages, scoped like the pages."""

from __future__ import annotations

from typing import Any

from flask import abort, jsonify
from flask_login import current_user
from sqlalchemy import or_, select

from rris.access.domain.permissions import Capability, can
from rris.access.queries.scoping import get_visible, visible_departments, visible_interpreters
from rris.api import bp, serializers
from rris.api.openapi import openapi_document
from rris.common.web.authentication import current_actor
from rris.common.web.request_shapes import query_args
from rris.context import current_clock
from rris.extensions import db
from rris.pool.models.geography import Department
from rris.pool.models.interpreters import InterpreterProfile
from rris.pool.models.languages import Language
from rris.pool.services.languages import LanguageSearch

MAX_LANGUAGE_RESULTS = 50


@bp.get("/openapi.json")
def openapi() -> Any:
    return jsonify(openapi_document())


@bp.get("/me")
def me() -> Any:
    return jsonify(serializers.me(current_user))


@bp.get("/departments")
def departments() -> Any:
    if not can(current_actor(), Capability.VIEW_DEPARTMENTS):
        abort(403)
    records = db.session.scalars(visible_departments(current_actor())).all()
    return jsonify(items=[serializers.department(record) for record in records])


@bp.get("/departments/<id:department_id>")
def department(department_id: int) -> Any:
    record = get_visible(visible_departments(current_actor()), Department, department_id)
    return jsonify(serializers.department(record))


@bp.get("/interpreters")
def interpreters() -> Any:
    today = current_clock().now().date()
    records = db.session.scalars(visible_interpreters(current_actor())).all()
    return jsonify(items=[serializers.interpreter(record, today) for record in records])


@bp.get("/interpreters/<id:interpreter_id>")
def interpreter(interpreter_id: int) -> Any:
    record = get_visible(visible_interpreters(current_actor()), InterpreterProfile, interpreter_id)
    return jsonify(serializers.interpreter(record, current_clock().now().date()))


@bp.get("/languages")
def languages() -> Any:
    query = query_args(LanguageSearch).q
    pattern = f"%{query.lower()}%"
    records = db.session.scalars(
        select(Language)
        .where(or_(Language.code == query.lower(), db.func.lower(Language.name).like(pattern)))
        .order_by(Language.code != query.lower(), Language.name)
        .limit(MAX_LANGUAGE_RESULTS)
    ).all()
    return jsonify(items=[serializers.language(record) for record in records])
