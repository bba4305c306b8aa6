"""Check-in settings, read from the environment here so the app needs no shared edits.

Every variable is listed in docs/checkin.md.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured


def _int(name: str, default: int, minimum: int = 1) -> int:
    raw = os.getenv(name, str(default))
    try:
        value = int(raw)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {raw!r}") from exc
    if value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {value}")
    return value


def link_hours() -> int:
    """How long a check-in link stays open (default 72 hours)."""
    return _int("HOLDSPACE_CHECKIN_HOURS", 72)


def token_limit() -> tuple[int, int]:
    """Requests allowed per link within a window of seconds (a phone needs ~10 per check-in)."""
    return _int("HOLDSPACE_CHECKIN_TOKEN_LIMIT", 120), _int("HOLDSPACE_CHECKIN_WINDOW", 900)


def ip_failure_limit() -> tuple[int, int]:
    """Unknown, expired or used links opened from one address within a window of seconds.

    Only failures count, so that a clinic behind one address is not slowed down while
    guessing tokens stays pointless (there are 2**256 of them).
    """
    return _int("HOLDSPACE_CHECKIN_IP_FAILURES", 30), _int("HOLDSPACE_CHECKIN_WINDOW", 900)


def crisis_override_file() -> Path | None:
    """A clinic's own crisis-resources file, replacing or extending the bundled one."""
    raw = os.getenv("HOLDSPACE_CRISIS_RESOURCES", "")
    return Path(raw) if raw else None


def crisis_region() -> str:
    """Which region's services are listed first (a key of the resources file)."""
    return os.getenv("HOLDSPACE_CRISIS_REGION", "GB")
