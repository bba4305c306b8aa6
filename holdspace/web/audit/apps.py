from __future__ import annotations

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "holdspace.web.audit"
    label = "audit"
