"""Small phrases the product builds from numbers and dates, in one place (core: no Django)."""

from __future__ import annotations

from datetime import date


def plural(count: int, singular: str, plural_form: str | None = None) -> str:
    """'1 score', '2 scores': number agreement without a '(s)'."""
    word = singular if count == 1 else (plural_form or singular + "s")
    return f"{count} {word}"


def ago(when: date, today: date) -> str:
    """How long ago a day was, as a clinician would say it: 'today', 'yesterday', '7 days ago'."""
    days = (today - when).days
    if days <= 0:
        return "today"
    if days == 1:
        return "yesterday"
    return f"{days} days ago"
