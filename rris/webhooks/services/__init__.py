"""Use cases of webhooks: publishing booking events, delivering them, managing endpoints."""
