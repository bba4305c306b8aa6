from __future__ import annotations

from django.apps import AppConfig


class ClientsConfig(AppConfig):
    name = "holdspace.web.clients"
    label = "clients"
