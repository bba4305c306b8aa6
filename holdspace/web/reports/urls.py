from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.reports import views

app_name = "reports"
urlpatterns: list[URLPattern | URLResolver] = [
    path("clients/<int:client_id>/", views.report, name="client_report"),
    path("clients/<int:client_id>/pdf/", views.report_pdf, name="client_pdf"),
    path(
        "clients/<int:client_id>/clinician/",
        views.report,
        {"clinician": True},
        name="clinician_report",
    ),
    path(
        "clients/<int:client_id>/clinician/pdf/",
        views.report_pdf,
        {"clinician": True},
        name="clinician_pdf",
    ),
    path("clients/<int:client_id>/record.zip", views.archive, name="archive"),
    path("episodes/<int:episode_id>/goals/", views.goal_add, name="goal_add"),
    path(
        "episodes/<int:episode_id>/goals/<int:goal_id>/remove/",
        views.goal_remove,
        name="goal_remove",
    ),
]
