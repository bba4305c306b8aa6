from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.notes import views

app_name = "notes"
urlpatterns: list[URLPattern | URLResolver] = [
    path("episodes/<int:episode_id>/", views.note_list, name="list"),
    path("episodes/<int:episode_id>/new/", views.note_new, name="new"),
    path("<int:note_id>/edit/", views.note_edit, name="edit"),
    path("<int:note_id>/keep/", views.note_keep, name="keep"),
    path("lint/", views.note_lint, name="lint"),
    path("apply/", views.note_apply, name="apply"),
]
