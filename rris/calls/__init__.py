"""Calls: who may join a session's call, tickets, guests, presence, quality and delivered time."""
