from __future__ import annotations

from django import template

from holdspace.web.checkins.models import CheckinLink
from holdspace.web.clients.models import Administration, Episode
from holdspace.web.clients.presenters import in_brief

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


@register.simple_tag
def received(link: CheckinLink) -> list[tuple[Administration, str]]:
    """What a check-in brought back, one line per measure: every answer the client sent is
    shown, a questionnaire with no total or skipped as a whole included."""
    drafts = sorted(link.drafts.all(), key=lambda d: d.pk)  # prefetched by the views
    return [(d.administration, in_brief(d.administration)) for d in drafts if d.administration]
