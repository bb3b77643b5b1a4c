"""Notifications: who is told what, the outbox, and the channels (e-mail with invites, SMS)."""
