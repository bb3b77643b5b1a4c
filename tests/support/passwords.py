"""argon2 at its cheapest inside the test process, switched on before any password is hashed.

The portal hashes with argon2-cffi's recommended parameters (64 MiB, 3 passes, 4 lanes): about
0.2 s a sign-in on a quiet 2-core machine and half a second on a loaded one, which made password
checks the largest single cost of the page tests. Here the same argon2id code runs with 8 KiB and
one pass; `tests/accounts/test_password_hashing.py` pins the parameters the portal really uses,
in a process of its own. Processes the tests start (a served portal, the scheduler) keep the real
parameters: argon2 reads a hash's own parameters to verify it, and re-hashes it at the first sign-in.
"""

from __future__ import annotations

from argon2 import Parameters, PasswordHasher, Type

from rris.accounts.integrations import passwords

_PORTAL_HASHER = passwords._hasher  # the portal's own, kept before hash_cheaply replaces it

CHEAP = Parameters(
    type=Type.ID, version=19, salt_len=16, hash_len=16, time_cost=1, memory_cost=8, parallelism=1
)


def hashed_as_the_portal(password: str) -> str:
    """`password` hashed with the parameters a served portal uses, so its first sign-in keeps the hash."""
    return _PORTAL_HASHER.hash(password)


def hash_cheaply() -> None:
    """Make this process hash and verify passwords with CHEAP (idempotent)."""
    hasher = PasswordHasher.from_parameters(CHEAP)
    passwords._hasher = hasher
    passwords._DUMMY_HASH = hasher.hash("not a password of anyone")

