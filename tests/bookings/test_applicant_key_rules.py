"""The regional applicant key: one identifier typed many ways is one key; the key is an HMAC
under the pool secret, and nothing about a bad identifier repeats it."""

import hashlib
import hmac

import pytest

from rris.bookings.domain.applicant_keys import (
    ApplicantKey,
    IdentifierProblem,
    InvalidIdentifier,
    KeyRing,
    keyed_digest,
    normalise_identifier,
)

SECRET = "pool-secret-for-the-unit-tests-0123456789"
OTHER_SECRET = "another-pool-secret-for-unit-tests-98765"


@pytest.mark.parametrize(
    "typed",
    [
        "RS-2026-0042",
        "rs 2026 0042",
        "  Rs2026-0042\t",
        "RS–2026—0042",  # en and em dashes, as word processors type them
        "RS/2026.0042",
        "ＲＳ２０２６００４２",  # full-width, from an East Asian keyboard layout
        "rs_2026_0042",
    ],
)
def test_the_same_registration_number_typed_differently_normalises_alike(typed):
    assert normalise_identifier(typed) == "rs20260042"


def test_letters_of_other_scripts_are_kept_and_case_folded():
    assert normalise_identifier("МК-12345") == normalise_identifier("мк 12345") == "мк12345"


@pytest.mark.parametrize(
    ("typed", "problem"),
    [
        ("", IdentifierProblem.TOO_SHORT),
        ("  -- ", IdentifierProblem.TOO_SHORT),
        ("AB-1", IdentifierProblem.TOO_SHORT),
        ("RS#2026*0042", IdentifierProblem.CHARACTERS),
        ("x" * 65, IdentifierProblem.TOO_LONG),
        ("-" * 129, IdentifierProblem.TOO_LONG),
    ],
)
def test_an_unusable_identifier_names_the_problem_without_repeating_it(typed, problem):
    with pytest.raises(InvalidIdentifier) as caught:
        normalise_identifier(typed)
    assert caught.value.problem is problem
    assert str(caught.value) == problem.value
    if typed.strip():
        assert typed not in str(caught.value) and typed not in repr(caught.value)


def test_the_key_is_hmac_sha256_of_the_normalised_identifier_under_the_secret():
    expected = hmac.new(SECRET.encode(), b"rs20260042", hashlib.sha256).hexdigest()
    assert keyed_digest("rs20260042", SECRET) == expected
    assert len(expected) == 64


def test_another_secret_or_another_number_gives_another_key():
    key = keyed_digest("rs20260042", SECRET)
    assert keyed_digest("rs20260042", OTHER_SECRET) != key
    assert keyed_digest("rs20260043", SECRET) != key
    assert key != hashlib.sha256(b"rs20260042").hexdigest()  # not guessable without the secret


def test_a_key_ring_keys_under_the_current_secret_first_then_the_retired_ones():
    ring = KeyRing(2, {1: OTHER_SECRET, 2: SECRET, 3: "a-third-secret-for-unit-tests-000000000"})
    keys = ring.keys_for("RS-2026-0042")
    assert [key.version for key in keys] == [2, 1, 3]
    assert keys[0] == ApplicantKey(2, keyed_digest("rs20260042", SECRET))
    assert keys[1] == ApplicantKey(1, keyed_digest("rs20260042", OTHER_SECRET))


def test_a_key_ring_never_shows_its_secrets():
    ring = KeyRing(1, {1: SECRET})
    assert SECRET not in repr(ring) and SECRET not in str(ring)


def test_a_key_ring_needs_a_secret_for_its_current_version():
    with pytest.raises(ValueError, match="current version"):
        KeyRing(2, {1: SECRET})
