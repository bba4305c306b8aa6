from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.library import views

app_name = "library"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.instrument_list, name="list"),
    path("<slug:instrument_id>/", views.instrument_detail, name="detail"),
]
