"""Adapters of webhooks: signing (standardwebhooks), name resolution and the HTTP POST."""
