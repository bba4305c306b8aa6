"""Rate limits for check-in links, kept in Django's cache (one process: waitress threads).

Two counters: every request made with one link, and failed look-ups (unknown, expired,
used or revoked links) from one address. Counting only failures per address means a
clinic whose clients share one address is never slowed, while guessing stays pointless.
"""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest

from holdspace.web.checkins import config
from holdspace.web.netaddr import client_ip


def _hit(key: str, limit: int, window: int) -> bool:
    """Count one event; True while the count is within the limit."""
    cache.add(key, 0, timeout=window)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        count = 1
    return count <= limit


def _ip(request: HttpRequest) -> str:
    # The client behind a trusted proxy: counting the proxy would let one guesser
    # close check-ins for every client.
    return client_ip(request) or "unknown"


def address_blocked(request: HttpRequest) -> bool:
    limit, _window = config.ip_failure_limit()
    return int(cache.get(f"checkin:ipfail:{_ip(request)}", 0)) >= limit


def count_failure(request: HttpRequest) -> None:
    limit, window = config.ip_failure_limit()
    _hit(f"checkin:ipfail:{_ip(request)}", limit, window)


def token_allowed(token_hash: str) -> bool:
    limit, window = config.token_limit()
    return _hit(f"checkin:token:{token_hash}", limit, window)
