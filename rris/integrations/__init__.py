"""Adapters to the world outside: password hashing, mail, SMS through Twilio, iCalendar invites."""
