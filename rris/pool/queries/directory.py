"""The interpreter pool as its list page shows it: a page of profiles, each loaded whole in a few queries."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from rris.access.domain.permissions import Actor
from rris.access.queries.scoping import visible_interpreters
from rris.common.domain.paging import clamp_page, page_count
from rris.extensions import db
from rris.pool.models.interpreters import Accreditation, InterpreterProfile

# Interpreters on one page of the pool's list.
POOL_PAGE_ROWS = 100


@dataclass(frozen=True)
class PoolPage:
    """One page of the interpreters the actor may see, by name."""

    profiles: list[InterpreterProfile]
    total: int
    page: int
    pages: int


def pool_page(actor: Actor, page: int | None) -> PoolPage:
    """The `page`th page (from 1; clamped to those there are) of the pool, with each profile's
    account, language pairs and accreditations (and their countries) loaded with it."""
    visible = visible_interpreters(actor)
    total = db.session.scalar(select(func.count()).select_from(visible.order_by(None).subquery())) or 0
    page = clamp_page(page, total, POOL_PAGE_ROWS)
    statement = (
        visible.options(
            contains_eager(InterpreterProfile.user),
            selectinload(InterpreterProfile.language_pairs),
            selectinload(InterpreterProfile.accreditations).joinedload(Accreditation.country),
        )
        .order_by(InterpreterProfile.id)  # after the name: a stable order among namesakes
        .limit(POOL_PAGE_ROWS)
        .offset((page - 1) * POOL_PAGE_ROWS)
    )
    profiles = list(db.session.scalars(statement))
    return PoolPage(profiles, total, page, page_count(total, POOL_PAGE_ROWS))
