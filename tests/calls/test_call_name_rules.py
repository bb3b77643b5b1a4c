"""The name an interpreter goes by in a call: the chosen one, tidied, else her first name."""

from __future__ import annotations

import pytest

from rris.calls.domain.call_names import (
    CALL_NAME_MAX_CHARS,
    CallNameProblem,
    call_name,
    call_name_problem,
    first_name,
    tidy_call_name,
)


def test_without_a_chosen_name_the_first_name_is_shown():
    assert call_name("Mariam Ahmadzai", None) == "Mariam"
    assert call_name("Mariam Ahmadzai", "  ") == "Mariam"
    assert call_name("  Abdul   Wahid Noori ", "") == "Abdul"


def test_a_chosen_name_is_shown_tidied():
    assert call_name("Mariam Ahmadzai", "  Mina \n K. ") == "Mina K."
    assert tidy_call_name(None) == ""


def test_a_single_long_name_is_cut_to_the_limit():
    assert first_name("X" * 60) == "X" * CALL_NAME_MAX_CHARS


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("Mina", None),
        ("", None),
        ("مریم", None),
        ("می\u200cنا", None),  # the zero-width non-joiner belongs to Persian spelling
        ("M" * CALL_NAME_MAX_CHARS, None),
        ("M" * (CALL_NAME_MAX_CHARS + 1), CallNameProblem.TOO_LONG),
        ("Mi\x07na", CallNameProblem.CONTROL_CHARACTER),
        ("Mina\u202eniM", CallNameProblem.CONTROL_CHARACTER),
        ("\u2066Mina", CallNameProblem.CONTROL_CHARACTER),
    ],
)
def test_what_a_chosen_name_may_not_be(name, problem):
    assert call_name_problem(name) is problem
