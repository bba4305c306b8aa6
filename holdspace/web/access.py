"""Who may see what: the one access-helper family every view of stored data starts with.

A clinician reads and writes their own clients; a supervisor reads (never writes) the
clients of the clinicians assigned to them; an admin sees no clinical content, only the
admin pages. Anyone else gets 404, never 403, so that the existence of a record is not
revealed.

Every object helper is one call to `get_for_user`: a queryset, the id, and the path from
the object to the clinician who owns it (`clinician` on a client or an episode,
`episode__clinician` on anything that hangs off an episode). `get_<thing>_for_user` applies
the read rule, `get_rw_<thing>_for_user` the write rule.
"""

from __future__ import annotations

from typing import TypeVar

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest
from django.urls import reverse

from holdspace.web.accounts.models import Role, User
from holdspace.web.checkins.models import CheckinLink
from holdspace.web.clients.models import Administration, Client, Episode, Session
from holdspace.web.notes.models import SessionNote
from holdspace.web.reviews.models import ProtectivePattern, StuckPointReview

M = TypeVar("M", bound=Model)

CLINICIAN = "clinician"  # on a client or an episode
EPISODE_CLINICIAN = "episode__clinician"  # on anything recorded in an episode


# --- who is asking ------------------------------------------------------------------


def request_user(request: HttpRequest) -> User:
    """The signed-in user; views call this after @login_required."""
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    return user


def get_admin(request: HttpRequest) -> User:
    """The signed-in admin; 404 (not 403) for anyone else, so the page is not revealed."""
    user = request_user(request)
    if user.role != Role.ADMIN:
        raise Http404
    return user


def home_url(user: User) -> str:
    """Where a user lands after sign-in: admins manage accounts, never a caseload."""
    if user.role == Role.ADMIN:
        return reverse("users")
    return reverse("clients:dashboard")


# --- the rules ----------------------------------------------------------------------


def readable(user: User, clinician: str = CLINICIAN) -> Q:
    """A filter on the `clinician` path: whose records this user may read.

    The supervisees are a subquery rather than a join, so a clinician with two
    supervisors does not make their records appear twice.
    """
    if user.role == Role.CLINICIAN:
        return Q(**{clinician: user})
    if user.role == Role.SUPERVISOR:
        return Q(**{clinician: user}) | Q(**{f"{clinician}__in": user.supervisees.all()})
    return Q(pk__in=[])  # admins and any other role: no clinical content


def writable(user: User, clinician: str = CLINICIAN) -> Q:
    """A filter on the `clinician` path: only the owning clinician changes a record."""
    return Q(**{clinician: user})


def can_write(user: User, record: Client | Episode) -> bool:
    """Whether this user may change the record: the `writable` rule for one object in hand.

    Views pass the answer to templates as `can_write`; templates that only have the object
    use the `writable_by` filter (`holdspace/web/clients/templatetags/access_tags.py`).
    """
    return record.clinician_id == user.pk


def can_comment(user: User, record: Client | Episode) -> bool:
    """Supervisors comment on their supervisees' work, never on their own."""
    return user.role == Role.SUPERVISOR and record.clinician_id != user.pk


def get_for_user(
    request: HttpRequest,
    queryset: QuerySet[M],
    pk: int,
    *,
    clinician: str = CLINICIAN,
    write: bool = False,
) -> M:
    """The object with this id if the signed-in user may read it (or change it, with
    `write`); Http404 otherwise, whether it does not exist or belongs to someone else."""
    user = request_user(request)
    rule = writable(user, clinician) if write else readable(user, clinician)
    try:
        return queryset.filter(rule).get(pk=pk)
    except ObjectDoesNotExist as exc:
        raise Http404 from exc


# --- lists --------------------------------------------------------------------------


def visible_clients(user: User) -> QuerySet[Client]:
    return Client.objects.filter(readable(user))


def visible_episodes(user: User) -> QuerySet[Episode]:
    return Episode.objects.filter(readable(user))


def visible_reviews(user: User) -> QuerySet[StuckPointReview]:
    return StuckPointReview.objects.filter(readable(user, EPISODE_CLINICIAN)).select_related(
        "episode__client", "episode__clinician"
    )


# --- one object ---------------------------------------------------------------------


def get_client_for_user(request: HttpRequest, client_id: int) -> Client:
    return get_for_user(request, Client.objects.all(), client_id)


def get_rw_client_for_user(request: HttpRequest, client_id: int) -> Client:
    return get_for_user(request, Client.objects.all(), client_id, write=True)


def get_episode_for_user(request: HttpRequest, episode_id: int) -> Episode:
    return get_for_user(request, Episode.objects.select_related("client"), episode_id)


def get_rw_episode_for_user(request: HttpRequest, episode_id: int) -> Episode:
    return get_for_user(request, Episode.objects.select_related("client"), episode_id, write=True)


def _in_episode(model: type[M]) -> QuerySet[M]:
    return model._default_manager.select_related("episode__client")


def get_rw_session_for_user(request: HttpRequest, session_id: int) -> Session:
    return get_for_user(
        request, _in_episode(Session), session_id, clinician=EPISODE_CLINICIAN, write=True
    )


def _administrations() -> QuerySet[Administration]:
    # Superseded ones too: an administration's own page shows its history.
    return Administration.with_history.select_related("episode__client", "session")


def get_administration_for_user(request: HttpRequest, administration_id: int) -> Administration:
    return get_for_user(request, _administrations(), administration_id, clinician=EPISODE_CLINICIAN)


def get_rw_administration_for_user(request: HttpRequest, administration_id: int) -> Administration:
    return get_for_user(
        request,
        _administrations(),
        administration_id,
        clinician=EPISODE_CLINICIAN,
        write=True,
    )


def get_rw_checkin_link_for_user(request: HttpRequest, link_id: int) -> CheckinLink:
    return get_for_user(
        request, _in_episode(CheckinLink), link_id, clinician=EPISODE_CLINICIAN, write=True
    )


def get_rw_note_for_user(request: HttpRequest, note_id: int) -> SessionNote:
    return get_for_user(
        request, _in_episode(SessionNote), note_id, clinician=EPISODE_CLINICIAN, write=True
    )


def get_review_for_user(request: HttpRequest, review_id: int) -> StuckPointReview:
    return get_for_user(
        request,
        _in_episode(StuckPointReview).select_related("episode__clinician"),
        review_id,
        clinician=EPISODE_CLINICIAN,
    )


def get_rw_review_for_user(request: HttpRequest, review_id: int) -> StuckPointReview:
    return get_for_user(
        request, _in_episode(StuckPointReview), review_id, clinician=EPISODE_CLINICIAN, write=True
    )


def get_rw_pattern_for_user(request: HttpRequest, pattern_id: int) -> ProtectivePattern:
    return get_for_user(
        request, _in_episode(ProtectivePattern), pattern_id, clinician=EPISODE_CLINICIAN, write=True
    )
