"""Who may read or change a note: built on the workspace's access helpers.

Reading follows `visible_episodes` (owner and their supervisors); changing is for the
episode's own clinician only, like `get_rw_episode_for_user`.
"""

from __future__ import annotations

from django.http import Http404, HttpRequest

from holdspace.web.clients.access import request_user, visible_episodes
from holdspace.web.notes.models import SessionNote


def get_note_for_user(request: HttpRequest, note_id: int) -> SessionNote:
    episodes = visible_episodes(request_user(request))
    try:
        return SessionNote.objects.select_related("episode__client").get(
            pk=note_id, episode__in=episodes
        )
    except SessionNote.DoesNotExist as exc:
        raise Http404 from exc


def get_rw_note_for_user(request: HttpRequest, note_id: int) -> SessionNote:
    try:
        return SessionNote.objects.select_related("episode__client").get(
            pk=note_id, episode__clinician=request_user(request)
        )
    except SessionNote.DoesNotExist as exc:
        raise Http404 from exc
