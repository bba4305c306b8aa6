"""Access helpers for review objects, built on the workspace's episode rules.

Read: anyone who may read the episode (its clinician, their supervisors). Write: only
the episode's clinician. Anyone else gets 404.
"""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404, HttpRequest

from holdspace.web.clients.access import request_user, visible_episodes
from holdspace.web.reviews.models import ProtectivePattern, StuckPointReview


def visible_reviews(request: HttpRequest) -> QuerySet[StuckPointReview]:
    episodes = visible_episodes(request_user(request))
    return StuckPointReview.objects.filter(episode__in=episodes).select_related(
        "episode__client", "episode__clinician"
    )


def get_review_for_user(request: HttpRequest, review_id: int) -> StuckPointReview:
    try:
        return visible_reviews(request).get(pk=review_id)
    except StuckPointReview.DoesNotExist as exc:
        raise Http404 from exc


def get_rw_review_for_user(request: HttpRequest, review_id: int) -> StuckPointReview:
    try:
        return StuckPointReview.objects.select_related("episode__client").get(
            pk=review_id, episode__clinician=request_user(request)
        )
    except StuckPointReview.DoesNotExist as exc:
        raise Http404 from exc


def get_rw_pattern_for_user(request: HttpRequest, pattern_id: int) -> ProtectivePattern:
    try:
        return ProtectivePattern.objects.select_related("episode__client").get(
            pk=pattern_id, episode__clinician=request_user(request)
        )
    except ProtectivePattern.DoesNotExist as exc:
        raise Http404 from exc
