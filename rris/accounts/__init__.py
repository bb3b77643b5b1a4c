"""People who sign in: accounts, passwords, sessions, API tokens, the sign-in page and profile."""
