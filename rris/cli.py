"""Flask CLI commands: `flask --app wsgi demo load`, `tokens create EMAIL`, `languages sync`."""

from __future__ import annotations

import click
from flask import Flask


def register_commands(app: Flask) -> None:
    """Attach the RRIS command groups to `app`."""
    app.cli.add_command(languages_group)


@click.group("languages", help="The ISO 639-3 language catalogue.")
def languages_group() -> None:
    pass


@languages_group.command("sync", help="Load or refresh languages from pycountry.")
def languages_sync() -> None:
    from rris.services.languages import sync_languages

    changed = sync_languages()
    click.echo(f"{changed} languages added or updated.")
