"""The coordinators' desk: unfilled bookings, conflicts and the calls going on now."""
