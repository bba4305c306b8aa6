from __future__ import annotations

from django.apps import AppConfig


class NotesConfig(AppConfig):
    name = "holdspace.web.notes"
    label = "notes"
