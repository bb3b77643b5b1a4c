"""The pages where focal points and admins manage their departments' webhook endpoints."""
