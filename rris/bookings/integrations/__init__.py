"""Bookings: adapters to the outside (the applicant's notice texts shipped with the package)."""
