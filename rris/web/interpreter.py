"""The interpreter's pages: offers, upcoming jobs, weekly availability and time off."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("interpreter", __name__)
