"""Free TCP ports on the loopback interface, and waiting for servers to answer on them."""

from __future__ import annotations

import urllib.error
import urllib.request

from deploy.local.ports import free_port, poll_until

__all__ = ["free_port", "http_status", "poll_until"]

# Test probes go to our own loopback servers only, never through an http_proxy from the environment.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def http_status(url: str) -> int | None:
    """The status of GET `url`, or None when nothing answers."""
    try:
        with _OPENER.open(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return None
