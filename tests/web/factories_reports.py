"""URL-kwarg factories for the reports app (see tests/web/personas.py)."""

from __future__ import annotations

from holdspace.web.reports.models import Goal
from tests.web.personas import World, register


@register("goal_id")
def make_goal(world: World) -> int:
    goal = Goal.objects.create(
        episode=world.episode, text="Sleep through the night", added_by=world.alice
    )
    return int(goal.pk)
