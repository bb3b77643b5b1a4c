"""Every capability's table modules; importing this module registers each table with the metadata.

Code imports a model from its capability (`rris.bookings.models.bookings`); this module only
makes sure that the metadata, and so migrations and the data map, see every table.
"""

# Imported for what importing them does: each module's tables join the metadata.
from rris.accounts.models import accounts, second_factor  # noqa: F401
from rris.audit.models import entries  # noqa: F401
from rris.bookings.models import bookings  # noqa: F401
from rris.calls.models import call_guests, calls  # noqa: F401
from rris.common.models import rate_limits  # noqa: F401
from rris.matching.models import conflicts  # noqa: F401
from rris.notifications.models import notifications  # noqa: F401
from rris.ondemand.models import ondemand  # noqa: F401
from rris.phone.models import callable_countries, phone_legs, phone_verification  # noqa: F401
from rris.pool.models import geography, interpreters, languages  # noqa: F401
from rris.reports.models import rollups  # noqa: F401
from rris.webhooks.models import webhooks  # noqa: F401
