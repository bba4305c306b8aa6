from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.checkins import views

app_name = "checkins"
urlpatterns: list[URLPattern | URLResolver] = [
    path("episode/<int:episode_id>/", views.episode_links, name="episode"),
    path("episode/<int:episode_id>/new/", views.new_link, name="new"),
    path("link/<int:link_id>/", views.created, name="created"),
    path("link/<int:link_id>/revoke/", views.revoke, name="revoke"),
]
