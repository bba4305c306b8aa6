from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.core import checks
from django.core.exceptions import ImproperlyConfigured


def crisis_resources_check(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """A clinic's crisis-resources file is checked when the server starts, not when a
    client in distress first needs it."""
    from holdspace.web.checkins.crisis import resources_for

    try:
        resources_for()
    except ImproperlyConfigured as exc:
        return [checks.Error(str(exc), id="checkins.E001")]
    return []


class CheckinsConfig(AppConfig):
    name = "holdspace.web.checkins"
    label = "checkins"

    def ready(self) -> None:
        checks.register(crisis_resources_check)
