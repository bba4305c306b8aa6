from __future__ import annotations

from collections.abc import Mapping

from django import template

from holdspace.reviews.cards import SIGNAL_TITLES

register = template.Library()


@register.filter
def signal_title(kind: str) -> str:
    return SIGNAL_TITLES.get(kind, kind)


@register.filter
def lookup(mapping: Mapping[str, str], key: str) -> str:
    return mapping.get(key, "")


_STATUS = {
    "reliable_improvement": "Reliable improvement",
    "reliable_deterioration": "Reliable deterioration (getting worse)",
    "no_reliable_change": "No reliable change yet",
    "unknown": "Unknown (no published threshold)",
}


@register.filter
def rc_words(status: str) -> str:
    return _STATUS.get(status, status)
