from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.clients import views

app_name = "clients"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
]
