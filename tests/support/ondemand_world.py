"""An interpreter now, for real browsers: the portal and the signalling service inside a test
namespace on the real clock, an officer in Belgrade and two Pashto-Serbian interpreters who may be
rung at any hour (their weekly windows cover every day, their accreditations for Serbia are current),
and a coordinator who reads the reports.

    world = start_ondemand_world(netns, tmp_path)
    sign_in(page, world, world.interpreter)
    page.goto(world.portal.url("/now/available"))
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from rris.app import create_app
from rris.enums import Role
from rris.extensions import db
from rris.pool.models.interpreters import AvailabilityWindow
from rris.pool.services.languages import sync_languages
from rris.settings import Settings
from tests import factories
from tests.support.call_world import Person
from tests.support.netns import Netns
from tests.support.services import PORTAL_PORT, SIGNALING_PORT, Service, service_env, start_portal, start_signaling

WHOLE_DAY_MINUTES = 24 * 60


@dataclass
class OnDemandWorld:
    """Portal and signalling over an officer and an interpreter; `officer`/`interpreter` as the call
    world names them, so its helpers (sign-in, media checks) work here too."""

    portal: Service
    signaling: Service
    officer: Person
    interpreter: Person  # Mariam
    second_interpreter: Person  # Nadia
    coordinator: Person  # Amra, who reads the reports (UTC)
    env: dict[str, str]

    def core(self) -> Flask:
        """The core app over the world's database, for reading what the services stored."""
        return create_app(Settings.from_env(self.env))


def start_ondemand_world(netns: Netns, workdir: Path) -> OnDemandWorld:
    """Portal and signalling in `netns` on a fresh database holding Jelena, Mariam, Nadia and Amra."""
    env = service_env(
        workdir,
        # The page's Origin must be the portal's public URL, or the signalling refuses the socket.
        RRIS_PUBLIC_URL=f"http://127.0.0.1:{PORTAL_PORT}",
        RRIS_SIGNALING_PUBLIC_URL=f"ws://127.0.0.1:{SIGNALING_PORT}",
        RRIS_LOG_LEVEL="WARNING",
    )
    portal = start_portal(netns, workdir, env)  # migrates the database first
    people = _seed(env)
    signaling = start_signaling(netns, workdir, env)
    return OnDemandWorld(portal, signaling, *people, env)


def _seed(env: dict[str, str]) -> tuple[Person, Person, Person, Person]:
    core = create_app(Settings.from_env(env))
    try:
        with core.app_context():
            sync_languages()
            jelena = factories.caseworker("RS", email="jelena@mup.rs.example", name="Jelena Marković")
            interpreters = [
                _interpreter_at_any_hour("mariam@pool.example", "Mariam Ahmadzai"),
                _interpreter_at_any_hour("nadia@pool.example", "Nadia Rahimi"),
            ]
            amra = factories.user(Role.COORDINATOR, email="amra@marri.example", name="Amra Hadžić", timezone="UTC")
            db.session.commit()
            return Person(jelena.email, jelena.name, jelena.id), *interpreters, Person(amra.email, amra.name, amra.id)
    finally:
        with core.app_context():
            db.engine.dispose()


def _interpreter_at_any_hour(email: str, name: str) -> Person:
    """A Pashto-Serbian interpreter whose weekly windows cover every day, accredited for Serbia today."""
    today = datetime.now(UTC).date()
    profile = factories.interpreter(zone="UTC", pairs=(("pus", "srp"),), on=today, email=email, name=name)
    profile.availability = [
        AvailabilityWindow(weekday=day, start_minute=0, end_minute=WHOLE_DAY_MINUTES) for day in range(7)
    ]
    return Person(profile.user.email, profile.user.name, profile.user_id)
