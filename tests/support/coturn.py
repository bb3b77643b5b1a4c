"""A throwaway coturn for one test (it lives in deploy.local, which `make cluster` shares)."""

from deploy.local.coturn import Coturn, CoturnUnavailable, answers_stun

__all__ = ["Coturn", "CoturnUnavailable", "answers_stun"]
