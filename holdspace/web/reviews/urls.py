from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.reviews import views

app_name = "reviews"
urlpatterns: list[URLPattern | URLResolver] = [
    path("supervision/", views.supervision, name="supervision"),
    path("episode/<int:episode_id>/", views.episode_reviews, name="episode_reviews"),
    path("episode/<int:episode_id>/patterns/new/", views.pattern_add, name="pattern_add"),
    path("episode/<int:episode_id>/life-events/new/", views.life_event_add, name="life_event_add"),
    path("episode/<int:episode_id>/open/", views.review_open, name="review_open"),
    path("episode/<int:episode_id>/adaptations/new/", views.adaptation_add, name="adaptation_add"),
    path("pattern/<int:pattern_id>/edit/", views.pattern_edit, name="pattern_edit"),
    path("pattern/<int:pattern_id>/seen/", views.pattern_seen, name="pattern_seen"),
    path("<int:review_id>/", views.review_detail, name="review_detail"),
    path("<int:review_id>/summary/", views.review_summary, name="review_summary"),
    path("<int:review_id>/save/", views.review_save, name="review_save"),
    path("<int:review_id>/comment/", views.review_comment, name="review_comment"),
    path(
        "<int:review_id>/acknowledge/<int:administration_id>/",
        views.review_acknowledge,
        name="review_acknowledge",
    ),
]
