"""Who may see what: the one access-helper family every client-data view starts with.

A clinician reads and writes their own clients; a supervisor reads the clients of the
clinicians assigned to them; an admin sees no clinical content. Anyone else gets 404,
never 403, so that the existence of a record is not revealed.
"""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest

from holdspace.web.accounts.models import Role, User
from holdspace.web.clients.models import Administration, Client, Episode, Session


def request_user(request: HttpRequest) -> User:
    """The signed-in user; views call this after @login_required."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    return user


def _readable_clinicians(user: User) -> Q:
    """A filter on a `clinician` field: whose records this user may read."""
    if user.role == Role.CLINICIAN:
        return Q(clinician=user)
    if user.role == Role.SUPERVISOR:
        return Q(clinician=user) | Q(clinician__supervisors=user)
    return Q(pk__in=[])


def visible_clients(user: User) -> QuerySet[Client]:
    return Client.objects.filter(_readable_clinicians(user)).distinct()


def visible_episodes(user: User) -> QuerySet[Episode]:
    return Episode.objects.filter(_readable_clinicians(user)).distinct()


def get_client_for_user(request: HttpRequest, client_id: int) -> Client:
    try:
        return visible_clients(request_user(request)).get(pk=client_id)
    except Client.DoesNotExist as exc:
        raise Http404 from exc


def get_rw_client_for_user(request: HttpRequest, client_id: int) -> Client:
    """Only the client's own clinician may change the record."""
    try:
        return Client.objects.get(pk=client_id, clinician=request_user(request))
    except Client.DoesNotExist as exc:
        raise Http404 from exc


def get_episode_for_user(request: HttpRequest, episode_id: int) -> Episode:
    try:
        return visible_episodes(request_user(request)).select_related("client").get(pk=episode_id)
    except Episode.DoesNotExist as exc:
        raise Http404 from exc


def get_rw_episode_for_user(request: HttpRequest, episode_id: int) -> Episode:
    """Only the episode's own clinician may change it; supervisors read only."""
    try:
        return Episode.objects.select_related("client").get(
            pk=episode_id, clinician=request_user(request)
        )
    except Episode.DoesNotExist as exc:
        raise Http404 from exc


def get_rw_administration_for_user(request: HttpRequest, administration_id: int) -> Administration:
    try:
        return Administration.objects.select_related("episode__client").get(
            pk=administration_id, episode__clinician=request_user(request)
        )
    except Administration.DoesNotExist as exc:
        raise Http404 from exc


def get_rw_session_for_user(request: HttpRequest, session_id: int) -> Session:
    try:
        return Session.objects.select_related("episode__client").get(
            pk=session_id, episode__clinician=request_user(request)
        )
    except Session.DoesNotExist as exc:
        raise Http404 from exc
