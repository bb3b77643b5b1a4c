"""The webhook endpoints, the events to tell them and each delivery and attempt."""
