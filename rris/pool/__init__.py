"""The interpreter pool: profiles, languages, accreditation, availability, countries and departments."""
