"""`{% episode_notes episode as notes %}` for the client page's notes partial."""

from __future__ import annotations

from django import template
from django.db.models import QuerySet

from holdspace.web.clients.models import Episode
from holdspace.web.notes.models import SessionNote

register = template.Library()

RECENT = 5


@register.simple_tag
def episode_notes(episode: Episode) -> QuerySet[SessionNote]:
    """The episode's latest notes (the page that includes the partial already checked access)."""
    return episode.notes.select_related("session")[:RECENT]
