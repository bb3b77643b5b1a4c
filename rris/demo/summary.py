"""What one load of the demo pool created and what was already there."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass
class DemoSummary:
    """What one load created and what was already there."""

    countries_created: int = 0
    countries_present: int = 0
    departments_created: int = 0
    departments_present: int = 0
    users_created: int = 0
    users_present: int = 0
    interpreters_created: int = 0
    interpreters_present: int = 0
    dialects_created: int = 0
    dialects_present: int = 0
    sessions_created: int = 0
    sessions_present: int = 0
    on_demand_created: int = 0
    on_demand_present: int = 0

    @property
    def created(self) -> int:
        """Rows of every kind this load created; 0 when the pool was already complete."""
        return sum(getattr(self, item.name) for item in fields(self) if item.name.endswith("_created"))

    def __str__(self) -> str:
        kinds = ("countries", "departments", "users", "interpreters", "dialects", "sessions", "on_demand")
        created = ", ".join(f"{getattr(self, kind + '_created')} {kind}" for kind in kinds)
        present = ", ".join(f"{getattr(self, kind + '_present')} {kind}" for kind in kinds)
        return f"created {created}; already present {present}"
