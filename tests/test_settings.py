"""Settings come from RRIS_* variables, are validated with the variable named, and are documented."""

import re
from pathlib import Path

import pytest

from rris.settings import VARIABLES, Settings, SettingsError

ROOT = Path(__file__).resolve().parent.parent


def test_defaults_serve_a_laptop_on_loopback(tmp_path):
    settings = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)})
    assert (settings.host, settings.port, settings.signaling_port) == ("127.0.0.1", 5000, 8765)
    assert settings.database_url == f"sqlite:///{tmp_path / 'rris.sqlite3'}"
    assert not settings.secure_cookies


def test_the_development_secret_is_kept_between_starts(tmp_path):
    first = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)}).secret_key
    second = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)}).secret_key
    assert first == second and len(first) >= 32


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    with pytest.raises(SettingsError, match="RRIS_SECRET_KEY"):
        Settings.from_env({"RRIS_ENV": "production", "RRIS_INSTANCE_PATH": str(tmp_path)})


def test_production_sends_cookies_over_https_only(tmp_path):
    settings = Settings.from_env(
        {
            "RRIS_ENV": "production",
            "RRIS_INSTANCE_PATH": str(tmp_path),
            "RRIS_SECRET_KEY": "k" * 40,
            "RRIS_APPLICANT_KEY_SECRET": "a" * 40,
            "RRIS_SECOND_FACTOR_KEY": "f" * 40,
        }
    )
    assert settings.secure_cookies


def test_webhooks_default_to_public_https_receivers_and_production_refuses_loopback(tmp_path):
    settings = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)})
    assert not settings.webhook_allow_loopback and settings.webhook_timeout_seconds == 5
    assert Settings.from_env(
        {"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_WEBHOOK_ALLOW_LOOPBACK": "true"}
    ).webhook_allow_loopback
    production = {
        "RRIS_ENV": "production",
        "RRIS_INSTANCE_PATH": str(tmp_path),
        "RRIS_SECRET_KEY": "k" * 40,
        "RRIS_APPLICANT_KEY_SECRET": "a" * 40,
        "RRIS_SECOND_FACTOR_KEY": "f" * 40,
        "RRIS_WEBHOOK_ALLOW_LOOPBACK": "true",
    }
    with pytest.raises(SettingsError, match="RRIS_WEBHOOK_ALLOW_LOOPBACK"):
        Settings.from_env(production)
    with pytest.raises(SettingsError, match="RRIS_WEBHOOK_TIMEOUT_SECONDS"):
        Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_WEBHOOK_TIMEOUT_SECONDS": "120"})


def test_a_plain_postgresql_url_uses_the_psycopg_driver(tmp_path):
    settings = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_DATABASE_URL": "postgresql://u@h/db"})
    assert settings.database_url == "postgresql+psycopg://u@h/db"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("RRIS_PORT", "http"),
        ("RRIS_PORT", "70000"),
        ("RRIS_SESSION_HOURS", "0"),
        ("RRIS_SMTP_STARTTLS", "maybe"),
        ("RRIS_DATABASE_URL", "mysql://x"),
        ("RRIS_ENV", "staging"),
        ("RRIS_PHONE_CALLS_PER_DAY", "0"),
        ("RRIS_DIAL_IN_NUMBER", "011 765 4321"),
        ("RRIS_DIAL_IN_NUMBER", "+12345678"),  # + and eight digits, but no number of any country
        ("RRIS_TWILIO_FROM", "+381 11 765"),
        ("RRIS_TWILIO_FROM", "RRIS"),
        ("RRIS_SIGN_IN_RECORDS_DAYS", "0"),
        ("RRIS_AUDIT_DAYS", "a year"),
        ("RRIS_CASE_DETAILS_HOURS", "-1"),
        ("RRIS_CASE_DETAILS_HOURS", "73"),
        ("RRIS_CASE_DETAILS_HOURS", "two"),
        ("RRIS_RATE_LIMIT_PER_TOKEN", "0"),
        ("RRIS_RATE_LIMIT_PER_ADDRESS", "many"),
        ("RRIS_RATE_LIMIT_ACCOUNT_PER_HOUR", "-5"),
        ("RRIS_RATE_LIMIT_STORAGE", "memcached://127.0.0.1:11211"),
        ("RRIS_SIGNALING_REDIS_URL", "127.0.0.1:6379"),
        ("RRIS_TRUSTED_PROXIES", "6"),
        ("RRIS_TRUSTED_PROXIES", "-1"),
    ],
)
def test_a_bad_value_names_its_variable(tmp_path, name, value):
    with pytest.raises(SettingsError, match=name):
        Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), name: value})


def test_rate_limits_count_in_the_database_and_trust_no_forwarded_address_unless_told(tmp_path):
    settings = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)})
    assert (settings.rate_limit_storage, settings.trusted_proxies) == ("database", 0)
    redis = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_RATE_LIMIT_STORAGE": "redis://:pw@r:6379/2"})
    assert redis.rate_limit_storage == "redis://:pw@r:6379/2"
    assert "pw" not in repr(redis)  # a Redis URL may carry a password


def test_signalling_keeps_rooms_in_memory_unless_given_a_redis_to_share_them_through(tmp_path):
    alone = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)})
    assert (alone.signaling_redis_url, alone.signaling_node_id) == ("", "")
    shared = Settings.from_env(
        {
            "RRIS_INSTANCE_PATH": str(tmp_path),
            "RRIS_SIGNALING_REDIS_URL": "rediss://:pw@redis.region:6380/1",
            "RRIS_SIGNALING_NODE_ID": "signal-2",
        }
    )
    assert (shared.signaling_redis_url, shared.signaling_node_id) == ("rediss://:pw@redis.region:6380/1", "signal-2")
    assert "pw" not in repr(shared)


def test_the_telephone_fallback_has_caps_and_an_optional_dial_in_number(tmp_path):
    settings = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)})
    assert (settings.phone_calls_per_booking, settings.phone_calls_per_day, settings.dial_in_number) == (6, 200, "")
    dial_in = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_DIAL_IN_NUMBER": "+381 11 765 4321"})
    assert dial_in.dial_in_number == "+381117654321"
    toll_free = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_DIAL_IN_NUMBER": "+1 (800) 555-0100"})
    assert toll_free.dial_in_number == "+18005550100"


def test_every_variable_is_documented_in_the_readme_and_nothing_else_is():
    readme = (ROOT / "README.md").read_text()
    documented = set(re.findall(r"`(RRIS_[A-Z_]+)`", readme))
    declared = {variable.name for variable in VARIABLES}
    assert declared <= documented, f"missing from README: {sorted(declared - documented)}"
    assert documented <= declared, f"README names unknown variables: {sorted(documented - declared)}"


def test_every_variable_read_in_the_code_is_declared():
    declared = {variable.name for variable in VARIABLES}
    source = "\n".join(
        path.read_text() for folder in ("rris", "scheduler", "signaling") for path in (ROOT / folder).rglob("*.py")
    )
    used = set(re.findall(r'"(RRIS_[A-Z_]+)"', source))
    assert used <= declared, f"undeclared: {sorted(used - declared)}"


def test_case_details_last_two_hours_after_a_session_unless_configured(tmp_path):
    assert Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)}).case_details_hours == 2
    none_after = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_CASE_DETAILS_HOURS": "0"})
    assert none_after.case_details_hours == 0


def _production(tmp_path, **variables):
    return {
        "RRIS_ENV": "production",
        "RRIS_INSTANCE_PATH": str(tmp_path),
        "RRIS_SECRET_KEY": "k" * 40,
        "RRIS_SECOND_FACTOR_KEY": "f" * 40,
        **variables,
    }


@pytest.mark.parametrize(
    ("key", "named"),
    [
        ("", "RRIS_SECOND_FACTOR_KEY is required in production"),
        ("too-short", "RRIS_SECOND_FACTOR_KEY must be at least 32"),
        ("k" * 40, "RRIS_SECOND_FACTOR_KEY must differ from RRIS_SECRET_KEY"),
    ],
)
def test_production_refuses_a_missing_or_unsafe_second_factor_key(tmp_path, key, named):
    with pytest.raises(SettingsError, match=named):
        Settings.from_env(_production(tmp_path, RRIS_APPLICANT_KEY_SECRET="a" * 40, RRIS_SECOND_FACTOR_KEY=key))


def test_passkeys_belong_to_the_public_url_s_host_unless_a_parent_domain_is_named(tmp_path):
    base = {"RRIS_INSTANCE_PATH": str(tmp_path), "RRIS_PUBLIC_URL": "https://rris.example.org:8443/"}
    settings = Settings.from_env(base)
    assert (settings.webauthn_rp_id, settings.webauthn_origin) == ("rris.example.org", "https://rris.example.org:8443")
    assert Settings.from_env({**base, "RRIS_WEBAUTHN_RP_ID": "Example.org"}).webauthn_rp_id == "example.org"
    with pytest.raises(SettingsError, match="RRIS_WEBAUTHN_RP_ID must be the host of RRIS_PUBLIC_URL"):
        Settings.from_env({**base, "RRIS_WEBAUTHN_RP_ID": "ample.org"})


@pytest.mark.parametrize(
    ("variables", "named"),
    [
        ({}, "RRIS_APPLICANT_KEY_SECRET is required"),
        ({"RRIS_APPLICANT_KEY_SECRET": "too-short"}, "RRIS_APPLICANT_KEY_SECRET must be at least 32"),
        ({"RRIS_APPLICANT_KEY_SECRET": "k" * 40}, "must differ from RRIS_SECRET_KEY"),
        (
            {"RRIS_APPLICANT_KEY_SECRET": "a" * 40, "RRIS_APPLICANT_KEY_RETIRED": "1:" + "b" * 40},
            "repeats a version",
        ),
        ({"RRIS_APPLICANT_KEY_SECRET": "a" * 40, "RRIS_APPLICANT_KEY_RETIRED": "old-secret"}, "VERSION:SECRET"),
        (
            {
                "RRIS_APPLICANT_KEY_SECRET": "a" * 40,
                "RRIS_APPLICANT_KEY_VERSION": "2",
                "RRIS_APPLICANT_KEY_RETIRED": "1:short",
            },
            "each secret has at least 32",
        ),
    ],
)
def test_production_refuses_a_missing_or_unsafe_applicant_key_secret(tmp_path, variables, named):
    with pytest.raises(SettingsError, match=named) as refused:
        Settings.from_env(_production(tmp_path, **variables))
    secrets = [
        variables.get("RRIS_APPLICANT_KEY_SECRET"),
        variables.get("RRIS_APPLICANT_KEY_RETIRED", "").partition(":")[2],
    ]
    assert not any(secret and secret in str(refused.value) for secret in secrets)  # a refusal never prints a secret


def test_the_applicant_key_secret_is_generated_outside_production_and_kept(tmp_path):
    first = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)})
    second = Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path)})
    assert first.applicant_key_secret == second.applicant_key_secret
    assert len(first.applicant_key_secret) >= 32 and first.applicant_key_secret != first.secret_key
    assert (tmp_path / "applicant_key_secret").stat().st_mode & 0o077 == 0
    assert first.applicant_key_secret not in repr(first)


def test_a_rotation_names_the_current_version_and_the_retired_secrets(tmp_path):
    settings = Settings.from_env(
        _production(
            tmp_path,
            RRIS_APPLICANT_KEY_SECRET="n" * 40,
            RRIS_APPLICANT_KEY_VERSION="2",
            RRIS_APPLICANT_KEY_RETIRED=" 1:" + "o" * 40 + " ,",
        )
    )
    assert settings.applicant_key_version == 2
    assert settings.applicant_key_retired == ((1, "o" * 40),)


def test_the_portal_and_the_scheduler_refuse_to_start_in_production_without_the_applicant_key_secret(
    tmp_path, monkeypatch, capsys
):
    from rris.portal import create_portal
    from scheduler.__main__ import main as scheduler_main

    for name in [variable.name for variable in VARIABLES]:
        monkeypatch.delenv(name, raising=False)
    for name, value in _production(tmp_path).items():
        monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError, match="RRIS_APPLICANT_KEY_SECRET"):
        create_portal()
    assert scheduler_main(["--check"]) == 2
    assert "RRIS_APPLICANT_KEY_SECRET is required in production" in capsys.readouterr().err


def test_printing_the_settings_shows_no_secret(tmp_path):
    secrets = {
        "RRIS_SECRET_KEY": "s" * 40,
        "RRIS_APPLICANT_KEY_SECRET": "a" * 40,
        "RRIS_SECOND_FACTOR_KEY": "f" * 40,
        "RRIS_TURN_URLS": "turn:127.0.0.1:3478",
        "RRIS_TURN_SECRET": "t" * 24,
        "RRIS_SMTP_PASSWORD": "smtp-password-42",
        "RRIS_TWILIO_AUTH_TOKEN": "twilio-token-42",
        "RRIS_DATABASE_URL": "postgresql://rris:db-password-42@127.0.0.1:5432/rris",
    }
    printed = repr(Settings.from_env({"RRIS_INSTANCE_PATH": str(tmp_path), **secrets}))
    for name in (
        "RRIS_SECRET_KEY",
        "RRIS_APPLICANT_KEY_SECRET",
        "RRIS_SECOND_FACTOR_KEY",
        "RRIS_TURN_SECRET",
        "RRIS_SMTP_PASSWORD",
    ):
        assert secrets[name] not in printed, name
    assert "twilio-token-42" not in printed and "db-password-42" not in printed
