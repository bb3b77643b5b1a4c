"""Notifications: adapters to the outside (mail, SMS, Twilio, files, charts)."""
