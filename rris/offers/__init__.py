"""Offers: waves to interpreters, first acceptance wins, and the interpreter's own pages."""
