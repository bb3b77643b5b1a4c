"""Password rules: long enough, not the e-mail address."""

from rris.accounts.domain.passwords import PasswordProblem, password_problems


def test_a_long_passphrase_is_fine():
    assert password_problems("violet tram over the river", "ana@example.org") == []


def test_short_passwords_are_refused():
    assert PasswordProblem.TOO_SHORT in password_problems("Sh0rt!", "ana@example.org")


def test_a_password_containing_the_mailbox_name_is_refused():
    assert PasswordProblem.CONTAINS_EMAIL in password_problems("jelena.markovic2026", "jelena.markovic@mup.rs.example")


def test_one_repeated_character_is_refused():
    assert PasswordProblem.ONE_CHARACTER in password_problems("a" * 20)
