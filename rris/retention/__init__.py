"""Retention: personal data purged when it has served its purpose."""
