"""The client's space on the clinician's pages: a summary on the client page, and the
client's goals and own words beside a stuck-point review's cards.

Inclusion tags, so the client and review pages need no change to their views; each tag
is a fixed handful of queries."""

from __future__ import annotations

from typing import Any

from django import template

from holdspace.web.clients.models import Client
from holdspace.web.space import services

register = template.Library()


@register.inclusion_tag("space/_client_page_space.html")
def space_summary(client: Client, can_write: bool = False) -> dict[str, Any]:
    space = services.space_for(client)
    return {
        "client": client,
        "space": space,
        "link": services.active_link(space) if space is not None else None,
        "plan": services.current_plan(space) if space is not None else None,
        "review": services.last_review(space) if space is not None else None,
        "can_write": can_write,
    }


@register.inclusion_tag("space/_client_voice.html")
def client_voice(client: Client) -> dict[str, Any]:
    return {
        "client": client,
        "goals": services.goals(client),
        "words": services.words_timeline(client, for_clinician=True),
        "heading_level": 3,
    }


@register.simple_tag
def plan_last_review(client: Client) -> str:
    """The date the safety plan was last gone through together, or "" (safety history)."""
    space = services.space_for(client)
    review = services.last_review(space) if space is not None else None
    return f"{review.at:%-d %b %Y}" if review is not None else ""
