"""Read-side selects of webhooks: endpoints in reach and their delivery log."""
