"""Booking pages for caseworkers, focal points and coordinators."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("bookings", __name__, url_prefix="/bookings")
