from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.clients import views

app_name = "clients"
urlpatterns: list[URLPattern | URLResolver] = [
    path("", views.dashboard, name="dashboard"),
    path("clients/", views.client_list, name="client_list"),
    path("clients/new/", views.client_add, name="client_add"),
    path("clients/<int:client_id>/", views.client_detail, name="client_detail"),
    path("clients/<int:client_id>/episodes/new/", views.episode_open, name="episode_open"),
    path("episodes/<int:episode_id>/", views.episode_detail, name="episode_detail"),
    path("episodes/<int:episode_id>/close/", views.episode_close, name="episode_close"),
    path("episodes/<int:episode_id>/sessions/new/", views.session_add, name="session_add"),
    path(
        "episodes/<int:episode_id>/measures/<str:instrument_id>/",
        views.administration_add,
        name="administration_add",
    ),
    path("sessions/<int:session_id>/status/", views.session_status, name="session_status"),
    path(
        "administrations/<int:administration_id>/",
        views.administration_detail,
        name="administration_detail",
    ),
    path(
        "administrations/<int:administration_id>/acknowledge/",
        views.safety_acknowledge,
        name="safety_acknowledge",
    ),
]
