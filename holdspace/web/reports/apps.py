from __future__ import annotations

from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "holdspace.web.reports"
    label = "reports"
