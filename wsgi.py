"""WSGI entry point of the portal: `flask --app wsgi ...`, gunicorn `wsgi:app`."""

from rris.portal import create_portal

app = create_portal()
