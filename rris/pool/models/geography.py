"""Countries taking part in the pool and their asylum departments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.extensions import Model

if TYPE_CHECKING:
    from rris.pool.models.languages import Language


class CountryLanguage(Model):
    """An official language of a country (what its officers speak)."""

    __tablename__ = "country_languages"

    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id", ondelete="CASCADE"), primary_key=True)
    language_code: Mapped[str] = mapped_column(ForeignKey("languages.code"), primary_key=True)


class Country(Model):
    """A participating country (or territory) and the authority that books interpreters. `name`
    is its English reference name; people read CLDR's in their language, with Kosovo's asterisk
    and footnote (`rris.common.services.wording.region_label`)."""

    __tablename__ = "countries"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    authority: Mapped[str] = mapped_column(String(200))
    seat: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))

    departments: Mapped[list[Department]] = relationship(back_populates="country", order_by="Department.name")
    official_languages: Mapped[list[Language]] = relationship(secondary="country_languages", order_by="Language.code")

    def __repr__(self) -> str:
        return f"<Country {self.code}>"


class Department(Model):
    """An office of a country's asylum authority; caseworkers belong to one."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("country_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    country_id: Mapped[int] = mapped_column(ForeignKey("countries.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    city: Mapped[str] = mapped_column(String(100))
    timezone: Mapped[str] = mapped_column(String(64))
    email: Mapped[str | None] = mapped_column(String(254))
    # False once the office closes: no new caseworkers or bookings, its records kept.
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())

    country: Mapped[Country] = relationship(back_populates="departments")

    def __repr__(self) -> str:
        return f"<Department {self.id} {self.name!r}>"
