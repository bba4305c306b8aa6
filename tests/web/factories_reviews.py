"""URL-kwarg factories for the reviews app (see tests/web/personas.py)."""

from __future__ import annotations

from holdspace.web.reviews import services
from holdspace.web.reviews.models import ProtectivePattern, StuckPointReview
from tests.web.personas import World, allow_supervisor_post, register


@register("review_id")
def make_review(world: World) -> int:
    if "review" not in world.cache:
        world.cache["review"] = services.open_review(
            world.episode,
            world.alice,
            signals=[{"kind": "not_on_track", "severity": "review", "summary": ""}],
            trigger="signal",
        )
    review: StuckPointReview = world.cache["review"]
    return int(review.pk)


@register("pattern_id")
def make_pattern(world: World) -> int:
    if "pattern" not in world.cache:
        world.cache["pattern"] = services.save_pattern(
            world.episode, world.alice, name="Going quiet", glossary_key="freeze", fields={}
        )
    pattern: ProtectivePattern = world.cache["pattern"]
    return int(pattern.pk)


# Supervisors of the clinician comment on reviews; nobody else may.
allow_supervisor_post("reviews:review_comment")
