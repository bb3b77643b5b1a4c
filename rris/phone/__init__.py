"""The telephone fallback: phone legs through Twilio, dial-in, toll-fraud guard, verified numbers."""
