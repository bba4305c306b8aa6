"""URL-kwarg factory for the notes app (see tests/web/personas.py)."""

from __future__ import annotations

from holdspace.web.notes.models import SessionNote
from tests.web.personas import World, register


@register("note_id")
def make_note(world: World) -> int:
    note = SessionNote.objects.create(
        episode=world.episode, author=world.alice, text="Talked about sleep."
    )
    return int(note.pk)
