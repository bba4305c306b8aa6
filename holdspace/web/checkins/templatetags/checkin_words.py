from __future__ import annotations

from django import template

from holdspace.web.checkins.models import CheckinLink
from holdspace.web.clients.models import Episode

register = template.Library()


@register.simple_tag
def latest_client_words(episode: Episode) -> CheckinLink | None:
    """The most recent sent check-in with the client's own words, however many links followed.

    The client's voice must stay where the clinician looks, not scroll off behind newer links.
    """
    return (
        episode.checkin_links.exclude(client_note="")
        .filter(used_at__isnull=False)
        .select_related("session")
        .order_by("-used_at")
        .first()
    )
