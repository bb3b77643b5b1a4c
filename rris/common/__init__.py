"""What every capability shares: errors, transactions, idempotency, the wording of values, the web kit."""
