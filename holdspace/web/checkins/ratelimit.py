"""Rate limits for check-in links, kept in Django's cache (shared by every process: the
database cache, or Redis when configured). Limits come from settings.py.

Two counters: every request made with one link, and failed look-ups (unknown, expired,
used or revoked links) from one address. Counting only failures per address means a
clinic whose clients share one address is never slowed, while guessing stays pointless.
"""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

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
    limit = settings.HOLDSPACE_CHECKIN_IP_FAILURES
    return int(cache.get(f"checkin:ipfail:{_ip(request)}", 0)) >= limit


def count_failure(request: HttpRequest) -> None:
    _hit(
        f"checkin:ipfail:{_ip(request)}",
        settings.HOLDSPACE_CHECKIN_IP_FAILURES,
        settings.HOLDSPACE_CHECKIN_WINDOW,
    )


def token_allowed(token_hash: str) -> bool:
    return _hit(
        f"checkin:token:{token_hash}",
        settings.HOLDSPACE_CHECKIN_TOKEN_LIMIT,
        settings.HOLDSPACE_CHECKIN_WINDOW,
    )
