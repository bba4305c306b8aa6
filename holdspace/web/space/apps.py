from __future__ import annotations

from django.apps import AppConfig


class SpaceConfig(AppConfig):
    name = "holdspace.web.space"
    label = "space"
    verbose_name = "The client's own space"
