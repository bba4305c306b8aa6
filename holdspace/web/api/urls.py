from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.api import views

app_name = "api"
urlpatterns: list[URLPattern | URLResolver] = [
    path("fhir/metadata", views.metadata, name="metadata"),
    path("openapi.json", views.openapi, name="openapi"),
    path("fhir/clients/<int:client_id>/", views.client_bundle, name="client_bundle"),
    path("fhir/episodes/<int:episode_id>/", views.episode_bundle, name="episode_bundle"),
    path("fhir/episodes/<int:episode_id>/import/", views.episode_import, name="episode_import"),
]
