"""URLs a client opens from a check-in link; no sign-in, the token is the key."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver

app_name = "checkin"
urlpatterns: list[URLPattern | URLResolver] = []
