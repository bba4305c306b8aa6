"""Access-matrix factories for the accounts app's URL kwargs (see tests/web/personas.py).

Added by the workspace engineer; user accounts are admin-only objects (owner "ada").
"""

from __future__ import annotations

from tests.web.personas import World, register


@register("user_id", owner="ada")
def make_user_id(world: World) -> int:
    return int(world.bob.pk)
