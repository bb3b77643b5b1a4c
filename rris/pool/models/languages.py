"""Languages (ISO 639-3, names from pycountry) and the dialects bookings can ask for."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from rris.extensions import Model


class Language(Model):
    """An ISO 639-3 language; `name` is the standard's reference name."""

    __tablename__ = "languages"

    code: Mapped[str] = mapped_column(String(3), primary_key=True)
    name: Mapped[str] = mapped_column(String(150))
    alpha_2: Mapped[str | None] = mapped_column(String(2))
    scope: Mapped[str] = mapped_column(String(1), default="I")  # I individual, M macrolanguage

    dialects: Mapped[list[Dialect]] = relationship(back_populates="language", order_by="Dialect.name")

    def __repr__(self) -> str:
        return f"<Language {self.code}>"


class Dialect(Model):
    """A named variety of a language that matters for understanding (e.g. Pashto, Kandahari)."""

    __tablename__ = "dialects"
    __table_args__ = (UniqueConstraint("language_code", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    language_code: Mapped[str] = mapped_column(ForeignKey("languages.code"), index=True)
    name: Mapped[str] = mapped_column(String(100))

    language: Mapped[Language] = relationship(back_populates="dialects")

    def __repr__(self) -> str:
        return f"<Dialect {self.language_code}:{self.name}>"
