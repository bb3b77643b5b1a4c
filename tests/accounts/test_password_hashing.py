"""The portal's argon2 parameters: what a process that is not the test run hashes with, and the
re-hash at sign-in of a password stored under other parameters (the suite hashes cheaply)."""

import subprocess
import sys
from pathlib import Path

from argon2 import PasswordHasher, profiles
from sqlalchemy import select

from rris.accounts.integrations.passwords import needs_rehash, verify_password
from rris.accounts.models.accounts import User
from rris.extensions import db
from tests import factories
from tests.conftest import committed

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
from argon2 import PasswordHasher
from rris.accounts.integrations import passwords
stored = passwords.hash_password("violet tram over the river")
cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash("violet tram over the river")
print(stored)
print(passwords.verify_password(stored, "violet tram over the river"), passwords.verify_password(stored, "violet"))
print(passwords.needs_rehash(stored), passwords.needs_rehash(cheap))
"""


def test_the_portal_hashes_with_argon2_cffi_s_recommended_parameters():
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, check=True)
    stored, verified, rehash = result.stdout.splitlines()
    recommended = profiles.RFC_9106_LOW_MEMORY
    prefix = f"$argon2id$v=19$m={recommended.memory_cost},t={recommended.time_cost},p={recommended.parallelism}$"
    assert stored.startswith(prefix) and prefix == "$argon2id$v=19$m=65536,t=3,p=4$"
    assert verified == "True False"
    assert rehash == "False True"  # a hash of weaker parameters is re-made at the next sign-in


def test_a_password_stored_under_other_parameters_is_re_hashed_when_she_signs_in(app, browser):
    other = PasswordHasher.from_parameters(profiles.RFC_9106_LOW_MEMORY).hash(factories.PASSWORD)
    with committed(app):
        factories.caseworker(email="ana.petrovic@mup.rs.example", password_hash=other)
    assert browser.sign_in("ana.petrovic@mup.rs.example", factories.PASSWORD).status_code == 302
    with app.app_context():
        stored = db.session.scalar(select(User.password_hash).where(User.email == "ana.petrovic@mup.rs.example"))
    assert stored != other and not needs_rehash(stored)  # made again, with the parameters of the day
    assert verify_password(stored, factories.PASSWORD)
