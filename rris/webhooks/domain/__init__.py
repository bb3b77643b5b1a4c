"""Pure rules of webhooks: which changes are told, what a payload holds, retries, addresses."""
