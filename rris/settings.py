"""Settings from the environment, read and validated (the variables themselves: `rris.environment_variables`).

A leaf module. `Settings.from_env()` is the only place that reads `os.environ` for RRIS;
the README's configuration table lists exactly those variables (a test checks).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field, fields
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from rris.environment_reader import EnvironmentReader
from rris.environment_reader import SettingsError as SettingsError  # re-exported: callers catch it from here
from rris.environment_variables import DEFAULT_CASE_DETAILS_HOURS, MAX_CASE_DETAILS_HOURS
from rris.environment_variables import VARIABLES as VARIABLES  # re-exported: the README check reads it here

PROJECT_ROOT = Path(__file__).resolve().parent.parent


_DEFAULT_PORT = 5000
MAX_TRUSTED_PROXIES = 5
_RATE_LIMIT_STORAGES = ("redis://", "rediss://", "redis+unix://")
_DEFAULT_SIGNALING_PORT = 8765
_APPLICANT_SECRET_MIN_CHARS = 32


@dataclass(frozen=True)
class Settings:
    """Validated configuration of the three processes."""

    env: str
    instance_path: Path
    database_url: str = field(repr=False)  # may carry a password
    secret_key: str = field(repr=False)
    applicant_key_secret: str = field(repr=False)
    applicant_key_version: int
    applicant_key_retired: tuple[tuple[int, str], ...] = field(repr=False)
    host: str
    port: int
    signaling_port: int
    public_url: str
    signaling_public_url: str
    signaling_redis_url: str = field(repr=False)  # may carry a password
    signaling_node_id: str
    stun_urls: tuple[str, ...]
    turn_urls: tuple[str, ...]
    turn_secret: str = field(repr=False)
    smtp_host: str
    smtp_port: int
    smtp_username: str
    smtp_password: str = field(repr=False)
    smtp_starttls: bool
    mail_from: str
    session_hours: int
    session_idle_minutes: int
    secure_cookies: bool
    login_max_failures: int
    login_max_failures_per_ip: int
    login_window_minutes: int
    second_factor_key: str = field(repr=False)
    webauthn_rp_id: str
    password_reset_minutes: int
    rate_limit_per_token: int
    rate_limit_per_address: int
    rate_limit_account_per_hour: int
    rate_limit_storage: str = field(repr=False)  # a Redis URL may carry a password
    trusted_proxies: int
    invitation_hours: int
    offer_wave_size: int
    offer_minutes: int
    presence_heartbeat_seconds: int
    ondemand_rings_at_once: int
    ondemand_ring_seconds: int
    ondemand_max_minutes: int
    ondemand_join_minutes: int
    ondemand_wait_sample: int
    ondemand_push_ms: int
    ondemand_phone_after_seconds: int
    twilio_account_sid: str
    twilio_auth_token: str = field(repr=False)
    twilio_from: str
    phone_calls_per_booking: int
    phone_calls_per_day: int
    dial_in_number: str
    retention_days: int
    sign_in_records_days: int
    audit_days: int
    case_details_hours: int
    webhook_timeout_seconds: int
    webhook_max_attempts: int
    webhook_retry_seconds: int
    webhook_secret_overlap_hours: int
    webhook_disable_after: int
    webhook_allow_loopback: bool
    log_level: str

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def session_length(self) -> timedelta:
        """The longest a sign-in lasts."""
        return timedelta(hours=self.session_hours)

    @property
    def session_idle(self) -> timedelta:
        """How long unused a session may stay before it ends."""
        return timedelta(minutes=self.session_idle_minutes)

    @property
    def case_details_span(self) -> timedelta:
        """The span after a session's end during which its interpreter still sees the case details."""
        return timedelta(hours=self.case_details_hours)

    @property
    def webauthn_origin(self) -> str:
        """The origin browsers report in passkey ceremonies: the public URL's scheme, host and port."""
        parts = urlsplit(self.public_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def mail_folder(self) -> Path:
        """Where mail goes when no SMTP server is configured."""
        return self.instance_path / "mail"

    @property
    def sms_folder(self) -> Path:
        """Where SMS go when no Twilio account is configured."""
        return self.instance_path / "sms"

    @property
    def twilio_configured(self) -> bool:
        return bool(self.twilio_account_sid and self.twilio_auth_token and self.twilio_from)

    def replace(self, **changes: Any) -> Settings:
        """A copy with some values changed (tests use this)."""
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values.update(changes)
        return Settings(**values)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Read and validate every RRIS_* variable; raise SettingsError naming the bad one."""
        env_vars = dict(os.environ if environ is None else environ)
        reader = EnvironmentReader(env_vars)
        env = reader.text("RRIS_ENV", "development")
        if env not in ("development", "test", "production"):
            raise SettingsError("RRIS_ENV must be development, test or production")
        instance_path = Path(reader.text("RRIS_INSTANCE_PATH", str(PROJECT_ROOT / "instance"))).resolve()
        database_url = reader.text("RRIS_DATABASE_URL", f"sqlite:///{instance_path / 'rris.sqlite3'}")
        if not database_url.startswith(("sqlite", "postgresql")):
            raise SettingsError("RRIS_DATABASE_URL must be a sqlite:// or postgresql:// URL")
        if database_url.startswith("postgresql://"):
            database_url = "postgresql+psycopg://" + database_url.removeprefix("postgresql://")
        port = reader.port("RRIS_PORT", _DEFAULT_PORT)
        secret_key = env_vars.get("RRIS_SECRET_KEY", "")
        if not secret_key:
            if env == "production":
                raise SettingsError("RRIS_SECRET_KEY is required in production")
            secret_key = _development_secret(instance_path)
        elif len(secret_key) < 32:
            raise SettingsError("RRIS_SECRET_KEY must be at least 32 characters")
        applicant_key_secret = env_vars.get("RRIS_APPLICANT_KEY_SECRET", "").strip()
        if not applicant_key_secret:
            if env == "production":
                raise SettingsError("RRIS_APPLICANT_KEY_SECRET is required in production")
            applicant_key_secret = _development_secret(instance_path, "applicant_key_secret")
        applicant_key_version = reader.positive_int("RRIS_APPLICANT_KEY_VERSION", 1)
        applicant_key_retired = reader.retired_secrets("RRIS_APPLICANT_KEY_RETIRED")
        _check_applicant_keys(applicant_key_secret, applicant_key_version, applicant_key_retired, secret_key)
        second_factor_key = env_vars.get("RRIS_SECOND_FACTOR_KEY", "").strip()
        if not second_factor_key:
            if env == "production":
                raise SettingsError("RRIS_SECOND_FACTOR_KEY is required in production")
            second_factor_key = _development_secret(instance_path, "second_factor_key")
        elif len(second_factor_key) < 32:
            raise SettingsError("RRIS_SECOND_FACTOR_KEY must be at least 32 characters")
        if second_factor_key == secret_key:
            raise SettingsError("RRIS_SECOND_FACTOR_KEY must differ from RRIS_SECRET_KEY")
        public_url = reader.text("RRIS_PUBLIC_URL", f"http://127.0.0.1:{port}").rstrip("/")
        public_host = urlsplit(public_url).hostname or "localhost"
        webauthn_rp_id = reader.text("RRIS_WEBAUTHN_RP_ID", public_host).lower()
        if public_host != webauthn_rp_id and not public_host.endswith("." + webauthn_rp_id):
            raise SettingsError("RRIS_WEBAUTHN_RP_ID must be the host of RRIS_PUBLIC_URL or a parent domain of it")
        signaling_port = reader.port("RRIS_SIGNALING_PORT", _DEFAULT_SIGNALING_PORT)
        signaling_public_url = reader.text("RRIS_SIGNALING_PUBLIC_URL", f"ws://127.0.0.1:{signaling_port}").rstrip("/")
        if not signaling_public_url.startswith(("ws://", "wss://")):
            raise SettingsError("RRIS_SIGNALING_PUBLIC_URL must start with ws:// or wss://")
        turn_urls = reader.url_list("RRIS_TURN_URLS", ("turn:", "turns:"))
        webhook_allow_loopback = reader.boolean("RRIS_WEBHOOK_ALLOW_LOOPBACK", False)
        if webhook_allow_loopback and env == "production":
            raise SettingsError("RRIS_WEBHOOK_ALLOW_LOOPBACK must not be set in production")
        turn_secret = env_vars.get("RRIS_TURN_SECRET", "").strip()
        if turn_urls and len(turn_secret) < 16:
            raise SettingsError("RRIS_TURN_SECRET must be set (16 characters or more) when RRIS_TURN_URLS is")
        return cls(
            env=env,
            instance_path=instance_path,
            database_url=database_url,
            secret_key=secret_key,
            applicant_key_secret=applicant_key_secret,
            applicant_key_version=applicant_key_version,
            applicant_key_retired=applicant_key_retired,
            host=reader.text("RRIS_HOST", "127.0.0.1"),
            port=port,
            signaling_port=signaling_port,
            public_url=public_url,
            signaling_public_url=signaling_public_url,
            signaling_redis_url=_redis_url("RRIS_SIGNALING_REDIS_URL", reader.text("RRIS_SIGNALING_REDIS_URL", "")),
            signaling_node_id=reader.text("RRIS_SIGNALING_NODE_ID", ""),
            stun_urls=reader.url_list("RRIS_STUN_URLS", ("stun:", "stuns:")),
            turn_urls=turn_urls,
            turn_secret=turn_secret,
            smtp_host=reader.text("RRIS_SMTP_HOST", ""),
            smtp_port=reader.port("RRIS_SMTP_PORT", 25),
            smtp_username=reader.text("RRIS_SMTP_USERNAME", ""),
            smtp_password=reader.text("RRIS_SMTP_PASSWORD", ""),
            smtp_starttls=reader.boolean("RRIS_SMTP_STARTTLS", False),
            mail_from=reader.text("RRIS_MAIL_FROM", "RRIS <no-reply@rris.localhost>"),
            session_hours=reader.positive_int("RRIS_SESSION_HOURS", 12),
            session_idle_minutes=reader.positive_int("RRIS_SESSION_IDLE_MINUTES", 120),
            secure_cookies=reader.boolean("RRIS_SECURE_COOKIES", env == "production"),
            login_max_failures=reader.positive_int("RRIS_LOGIN_MAX_FAILURES", 5),
            login_max_failures_per_ip=reader.positive_int("RRIS_LOGIN_MAX_FAILURES_PER_IP", 30),
            login_window_minutes=reader.positive_int("RRIS_LOGIN_WINDOW_MINUTES", 15),
            second_factor_key=second_factor_key,
            webauthn_rp_id=webauthn_rp_id,
            password_reset_minutes=reader.positive_int("RRIS_PASSWORD_RESET_MINUTES", 60),
            rate_limit_per_token=reader.positive_int("RRIS_RATE_LIMIT_PER_TOKEN", 120),
            rate_limit_per_address=reader.positive_int("RRIS_RATE_LIMIT_PER_ADDRESS", 300),
            rate_limit_account_per_hour=reader.positive_int("RRIS_RATE_LIMIT_ACCOUNT_PER_HOUR", 20),
            rate_limit_storage=_rate_limit_storage(reader.text("RRIS_RATE_LIMIT_STORAGE", "database")),
            trusted_proxies=reader.bounded_int("RRIS_TRUSTED_PROXIES", 0, 0, MAX_TRUSTED_PROXIES),
            invitation_hours=reader.positive_int("RRIS_INVITATION_HOURS", 72),
            offer_wave_size=reader.positive_int("RRIS_OFFER_WAVE_SIZE", 3),
            offer_minutes=reader.positive_int("RRIS_OFFER_MINUTES", 30),
            presence_heartbeat_seconds=reader.positive_int("RRIS_PRESENCE_HEARTBEAT_SECONDS", 10),
            ondemand_rings_at_once=reader.positive_int("RRIS_ONDEMAND_RINGS_AT_ONCE", 3),
            ondemand_ring_seconds=reader.positive_int("RRIS_ONDEMAND_RING_SECONDS", 30),
            ondemand_max_minutes=reader.bounded_int("RRIS_ONDEMAND_MAX_MINUTES", 60, 5, 8 * 60),
            ondemand_join_minutes=reader.bounded_int("RRIS_ONDEMAND_JOIN_MINUTES", 3, 1, 60),
            ondemand_wait_sample=reader.positive_int("RRIS_ONDEMAND_WAIT_SAMPLE", 20),
            ondemand_push_ms=reader.bounded_int("RRIS_ONDEMAND_PUSH_MS", 100, 20, 1000),
            ondemand_phone_after_seconds=reader.bounded_int("RRIS_ONDEMAND_PHONE_AFTER_SECONDS", 60, 0, 3600),
            twilio_account_sid=reader.text("RRIS_TWILIO_ACCOUNT_SID", ""),
            twilio_auth_token=env_vars.get("RRIS_TWILIO_AUTH_TOKEN", "").strip(),
            twilio_from=reader.e164("RRIS_TWILIO_FROM"),
            phone_calls_per_booking=reader.positive_int("RRIS_PHONE_CALLS_PER_BOOKING", 6),
            phone_calls_per_day=reader.positive_int("RRIS_PHONE_CALLS_PER_DAY", 200),
            dial_in_number=reader.e164("RRIS_DIAL_IN_NUMBER"),
            retention_days=reader.positive_int("RRIS_RETENTION_DAYS", 90),
            sign_in_records_days=reader.positive_int("RRIS_SIGN_IN_RECORDS_DAYS", 30),
            audit_days=reader.positive_int("RRIS_AUDIT_DAYS", 365),
            case_details_hours=reader.bounded_int(
                "RRIS_CASE_DETAILS_HOURS", DEFAULT_CASE_DETAILS_HOURS, 0, MAX_CASE_DETAILS_HOURS
            ),
            webhook_timeout_seconds=reader.bounded_int("RRIS_WEBHOOK_TIMEOUT_SECONDS", 5, 1, 30),
            webhook_max_attempts=reader.bounded_int("RRIS_WEBHOOK_MAX_ATTEMPTS", 8, 1, 20),
            webhook_retry_seconds=reader.positive_int("RRIS_WEBHOOK_RETRY_SECONDS", 30),
            webhook_secret_overlap_hours=reader.bounded_int("RRIS_WEBHOOK_SECRET_OVERLAP_HOURS", 24, 0, 24 * 14),
            webhook_disable_after=reader.positive_int("RRIS_WEBHOOK_DISABLE_AFTER", 20),
            webhook_allow_loopback=webhook_allow_loopback,
            log_level=reader.text("RRIS_LOG_LEVEL", "INFO").upper(),
        )


def _check_applicant_keys(secret: str, version: int, retired: tuple[tuple[int, str], ...], session_key: str) -> None:
    """The applicant key secrets are long, distinct from each other and from the session key."""
    if len(secret) < _APPLICANT_SECRET_MIN_CHARS:
        raise SettingsError(f"RRIS_APPLICANT_KEY_SECRET must be at least {_APPLICANT_SECRET_MIN_CHARS} characters")
    if secret == session_key:
        # The session key is changed for its own reasons; doing so must not cut every link.
        raise SettingsError("RRIS_APPLICANT_KEY_SECRET must differ from RRIS_SECRET_KEY")
    versions = [version] + [old for old, _secret in retired]
    if len(set(versions)) != len(versions):
        raise SettingsError("RRIS_APPLICANT_KEY_RETIRED repeats a version (or names RRIS_APPLICANT_KEY_VERSION)")
    for _old, old_secret in retired:
        if len(old_secret) < _APPLICANT_SECRET_MIN_CHARS:
            raise SettingsError(
                f"RRIS_APPLICANT_KEY_RETIRED: each secret has at least {_APPLICANT_SECRET_MIN_CHARS} characters"
            )
        if old_secret == secret:
            raise SettingsError("RRIS_APPLICANT_KEY_RETIRED holds the current secret under another version")


def _rate_limit_storage(value: str) -> str:
    """`database` or a Redis URL, as RRIS_RATE_LIMIT_STORAGE allows."""
    if value != "database" and not value.startswith(_RATE_LIMIT_STORAGES):
        raise SettingsError(f"RRIS_RATE_LIMIT_STORAGE must be database or start with {', '.join(_RATE_LIMIT_STORAGES)}")
    return value


def _redis_url(name: str, value: str) -> str:
    """Empty, or a Redis URL."""
    if value and not value.startswith(_RATE_LIMIT_STORAGES):
        raise SettingsError(f"{name} must be empty or start with {', '.join(_RATE_LIMIT_STORAGES)}")
    return value


def _development_secret(instance_path: Path, name: str = "secret_key") -> str:
    """A random key kept in the instance folder, so sessions (and applicant links) survive a restart."""
    instance_path.mkdir(parents=True, exist_ok=True)
    key_file = instance_path / name
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(48))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
