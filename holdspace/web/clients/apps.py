from __future__ import annotations

from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "holdspace.web.clients"
    label = "clients"

    def ready(self) -> None:
        # Text reaches the database without control characters (holdspace/web/inputs.py).
        from holdspace.web.inputs import connect_text_guard

        connect_text_guard()
