"""Adapters to the world outside: password hashing, mail, later Twilio and iCalendar."""
