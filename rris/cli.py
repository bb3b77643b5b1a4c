"""Flask CLI commands: `demo load|call|logins`, `tokens create EMAIL`, `users create`, `languages sync`,
`applicant-keys status`, `audit verify`."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select

from rris.accounts.models.accounts import User
from rris.bookings.services.booking_setup import BookingSetup
from rris.common.domain.errors import DomainError, InvalidInput
from rris.context import current_clock, current_settings
from rris.enums import Role
from rris.extensions import db


def register_commands(app: Flask) -> None:
    """Attach the RRIS command groups to `app`."""
    for group in (demo_group, tokens_group, users_group, languages_group, applicant_keys_group, audit_group):
        app.cli.add_command(group)


@click.group("demo", cls=AppGroup, help="The demo pool: seven authorities, departments and about 60 interpreters.")
def demo_group() -> None:
    pass


@demo_group.command("load", help="Load the demo pool (idempotent: existing records are kept).")
@click.option("--if-empty", is_flag=True, help="Only load into a database with no countries yet.")
def demo_load(if_empty: bool) -> None:
    from rris.accounts.integrations.second_factor_keys import SecondFactorKeys
    from rris.demo.pool import load_demo_pool, pool_is_empty

    if if_empty and not pool_is_empty():
        click.echo("The database has data already; demo pool not loaded.")
        return
    keys = SecondFactorKeys(current_settings().second_factor_key)
    summary = load_demo_pool(current_clock().now(), keys, current_settings())
    click.echo(f"Demo pool loaded: {summary}")


@demo_group.command("call", help="Book a demo session starting in a few minutes, with its interpreter.")
@click.option("--in-minutes", default=5, show_default=True, type=click.IntRange(0, 24 * 60))
def demo_call(in_minutes: int) -> None:
    from rris.demo.call import book_demo_call

    settings = current_settings()
    setup, starts_in = BookingSetup.from_settings(settings), timedelta(minutes=in_minutes)
    try:
        call = book_demo_call(current_clock().now(), setup, starts_in)
    except (LookupError, DomainError) as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(
        f"Session {call.code} with {call.interpreter} is {call.state.value}; "
        "its call opens 15 minutes before the start."
    )
    click.echo(f"  caseworker and interpreter join at {settings.public_url}/calls/{call.booking_id}")


@demo_group.command("logins", help="Print the demo logins, one per role.")
def demo_logins() -> None:
    from rris.demo.pool import DEMO_LOGINS, DEMO_PASSWORD, DEMO_TOTP_SECRET

    width = max(len(role) for role, _email in DEMO_LOGINS)
    for role, email in DEMO_LOGINS:
        click.echo(f"  {role.ljust(width)}  {email}")
    click.echo(f"  {'password'.ljust(width)}  {DEMO_PASSWORD}")
    click.echo(
        f"  {'2nd step'.ljust(width)}  focal point, coordinator and admin: the code of the authenticator-app key "
        f"{DEMO_TOTP_SECRET},\n  {''.ljust(width)}  or print it now: .venv/bin/python -m flask --app wsgi demo code"
    )


@demo_group.command("code", help="Print the demo accounts' current authenticator-app code.")
def demo_code() -> None:
    from rris.accounts.domain.second_factor import totp_code, totp_step
    from rris.demo.pool import DEMO_TOTP_SECRET

    click.echo(totp_code(DEMO_TOTP_SECRET, totp_step(current_clock().now())))


@click.group("tokens", cls=AppGroup, help="Personal API tokens.")
def tokens_group() -> None:
    pass


@tokens_group.command("create", help="Create an API token for EMAIL and print it once.")
@click.argument("email")
@click.option("--name", default="command line", show_default=True, help="What the token is for.")
@click.option("--days", type=click.IntRange(1, 730), default=None, help="Expire after this many days.")
def tokens_create(email: str, name: str, days: int | None) -> None:
    from rris.accounts.services.api_tokens import create_api_token

    user = _user_by_email(email)
    now = current_clock().now()
    try:
        _token, secret = create_api_token(user, name, now, now + timedelta(days=days) if days else None)
    except DomainError as problem:
        raise click.ClickException(str(problem)) from None
    click.echo(secret)


@click.group("users", cls=AppGroup, help="Accounts.")
def users_group() -> None:
    pass


@users_group.command("create", help="Create an account; the password is asked for.")
@click.argument("email")
@click.option("--name", required=True)
@click.option("--role", type=click.Choice([role.value for role in Role]), required=True)
@click.option("--department-id", type=int, default=None, help="Required for caseworkers.")
@click.option("--country-id", type=int, default=None, help="Required for focal points.")
@click.password_option()
def users_create(
    email: str, name: str, role: str, department_id: int | None, country_id: int | None, password: str
) -> None:
    from rris.accounts.services.accounts import NewAccount, create_user

    try:
        user = create_user(
            NewAccount(email, name, password, Role(role), department_id, country_id), current_clock().now()
        )
    except InvalidInput as problem:
        raise click.ClickException(
            "; ".join(f"{field}: {reason}" for field, reason in problem.errors.items())
        ) from None
    click.echo(f"Created {user.role.value} {user.email} (id {user.id}).")


@click.group("languages", cls=AppGroup, help="The ISO 639-3 language catalogue.")
def languages_group() -> None:
    pass


@languages_group.command("sync", help="Load or refresh languages from pycountry.")
def languages_sync() -> None:
    from rris.pool.services.languages import sync_languages

    changed = sync_languages()
    click.echo(f"{changed} languages added or updated.")


@click.group("applicant-keys", cls=AppGroup, help="Regional applicant keys (keyed hashes of shared identifiers).")
def applicant_keys_group() -> None:
    pass


@applicant_keys_group.command("status", help="Records per key version, to follow a rotation of the pool secret.")
def applicant_keys_status() -> None:
    from rris.bookings.services.applicant_keys import key_version_counts

    settings = current_settings()
    retired = sorted(version for version, _secret in settings.applicant_key_retired)
    click.echo(f"current version: {settings.applicant_key_version}")
    click.echo(f"retired versions still matched: {', '.join(map(str, retired)) or 'none'}")
    counts = key_version_counts()
    if not counts:
        click.echo("No booking or objection carries an applicant key yet.")
    for line in counts:
        known = (
            "current"
            if line.version == settings.applicant_key_version
            else "retired"
            if line.version in retired
            else "secret no longer configured: links among these rows only"
        )
        bookings = f"{line.bookings} booking" + ("" if line.bookings == 1 else "s")
        objections = f"{line.objections} objection" + ("" if line.objections == 1 else "s")
        click.echo(f"  version {line.version}: {bookings}, {objections} ({known})")


def _user_by_email(email: str) -> User:
    user = db.session.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None:
        raise click.ClickException(f"No account with the e-mail address {email!r}.")
    return user


@click.group("audit", cls=AppGroup, help="The audit trail.")
def audit_group() -> None:
    pass


@audit_group.command("verify", help="Check the audit trail's hash chain; exit 1 naming the first broken entry.")
def audit_verify() -> None:
    from rris.audit.models.entries import AuditEntry
    from rris.audit.services.chain_check import verify_trail

    checked, found = verify_trail()
    if found is None:
        head = db.session.scalar(select(AuditEntry.hash).order_by(AuditEntry.id.desc()).limit(1))
        click.echo(f"The audit trail holds: {checked} entries checked; newest hash {head or 'none (empty trail)'}.")
        return
    entry = db.session.get(AuditEntry, found.entry_id)
    what = f" ({entry.at.isoformat()}, {entry.action} {entry.subject_type} {entry.subject_id})" if entry else ""
    click.echo(f"The audit trail is broken at entry {found.entry_id}{what}: {found.problem}.", err=True)
    raise SystemExit(1)
