"""One visit to a client's space: a signed cookie naming the link, checked on every request.

The link's token is used once, on entry, and then leaves the address bar (so it does not
sit in the history of every page). The cookie holds the link id, the space's generation
and whether the PIN was given; every request looks the link up again, so revoking the
link, or resetting the PIN (which raises the generation), ends the visit at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse

from holdspace.web.space.models import ClientSpace, SpaceLink
from holdspace.web.space.services import pin_required

COOKIE = "hs_space"
SALT = "holdspace.space.visit"
PATH = "/s/"


@dataclass(frozen=True)
class Visit:
    link: SpaceLink
    space: ClientSpace
    pin_given: bool

    @property
    def open(self) -> bool:
        """The client may see their space (the PIN was given, or the clinic has none)."""
        return self.pin_given or not pin_required()


def read_visit(request: HttpRequest) -> Visit | None:
    try:
        raw = request.get_signed_cookie(COOKIE, salt=SALT, max_age=settings.HOLDSPACE_SPACE_IDLE)
    except (KeyError, signing.BadSignature):
        return None
    if not raw:
        return None
    parts = raw.split(":")
    if len(parts) != 3 or not all(p.isdigit() for p in parts):
        return None
    link_id, generation, pin = (int(p) for p in parts)
    link = (
        SpaceLink.objects.select_related("space__client__clinician")
        .filter(pk=link_id, revoked_at__isnull=True)
        .first()
    )
    if link is None or link.space.generation != generation:
        return None
    return Visit(link, link.space, pin == 1)


def keep_visit(response: HttpResponse, link: SpaceLink, *, pin_given: bool) -> HttpResponse:
    """Set (or slide) the visit cookie: it lapses after the clinic's idle time."""
    response.set_signed_cookie(
        COOKIE,
        f"{link.pk}:{link.space.generation}:{1 if pin_given else 0}",
        salt=SALT,
        max_age=settings.HOLDSPACE_SPACE_IDLE,
        path=PATH,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        # Lax: sent when the client opens the space from a link in a message, never with a
        # form posted from another site.
        samesite="Lax",
    )
    return response


def end_visit(response: HttpResponse) -> HttpResponse:
    response.delete_cookie(COOKIE, path=PATH, samesite="Lax")
    return response
