"""Access-matrix factories for the accounts app's URL kwargs (see tests/web/personas.py).

Added by the workspace engineer; user accounts are admin-only objects (owner "ada").
"""

from __future__ import annotations

from tests.web.personas import World, register


@register("user_id", owner="ada")
def make_user_id(world: World) -> int:
    return int(world.bob.pk)


@register("token_id", owner="alice")
def make_token_id(world: World) -> int:
    """Alice's own API token: only she may revoke it."""
    from holdspace.web.accounts.tokens import create_token

    token, _ = create_token(world.alice, "export job", "read")
    return int(token.pk)
