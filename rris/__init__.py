"""RRIS: the Regional Remote Interpretation Service (core package)."""
