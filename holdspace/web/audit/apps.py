from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "holdspace.web.audit"
    label = "audit"

    def ready(self) -> None:
        # Connects the sign-in receivers.
        from holdspace.web.audit import signals  # noqa: F401
