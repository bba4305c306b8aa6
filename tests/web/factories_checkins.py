"""Access-matrix factories for the check-in app's URL kwargs (see tests/web/personas.py).

Added by the workspace engineer so the matrix covers check-in URLs; the check-ins
engineer may extend or replace it.
"""

from __future__ import annotations

from holdspace.web.checkins.services import create_link
from tests.web.personas import World, register


def _link(world: World) -> tuple[object, str]:
    if "checkin_link" not in world.cache:
        world.cache["checkin_link"] = create_link(world.episode, world.session, world.alice)
    return world.cache["checkin_link"]


@register("link_id")
def make_link(world: World) -> int:
    link, _token = _link(world)
    return int(link.pk)  # type: ignore[attr-defined]


@register("token")
def make_token(world: World) -> str:
    _link_row, token = _link(world)
    return token
