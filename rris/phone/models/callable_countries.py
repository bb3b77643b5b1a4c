"""The countries the telephone fallback may call, as coordinators set them, every version kept."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.accounts.models.accounts import User
from rris.common.models.types import UTCDateTime
from rris.extensions import Model


class CallableCountryList(Model):
    """One saved version of the list: its countries, who saved it and when. The newest one is in
    force; with none saved, the default applies (rris.phone.services.callable_countries)."""

    __tablename__ = "callable_country_lists"

    id: Mapped[int] = mapped_column(primary_key=True)
    # ISO 3166-1 alpha-2 codes, sorted, separated by spaces ("AF AL BA ..."); "" when none may be called.
    regions: Mapped[str] = mapped_column(String(1000), default="")
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    saved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    saved_by: Mapped[User | None] = relationship()

    @property
    def codes(self) -> frozenset[str]:
        """The list's country codes."""
        return frozenset(self.regions.split())
