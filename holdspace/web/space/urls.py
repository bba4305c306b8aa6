"""The clinician's pages for a client's space (signed in)."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.space import views

app_name = "spaces"
urlpatterns: list[URLPattern | URLResolver] = [
    path("clients/<int:client_id>/", views.manage, name="manage"),
    path("clients/<int:client_id>/share/", views.share, name="share"),
    path("clients/<int:client_id>/revoke/", views.revoke, name="revoke"),
    path("clients/<int:client_id>/pin-reset/", views.pin_reset, name="pin_reset"),
    path("clients/<int:client_id>/parts/", views.parts, name="parts"),
    path("clients/<int:client_id>/plan/", views.plan_edit, name="plan_edit"),
    path("clients/<int:client_id>/plan/reviewed/", views.plan_reviewed, name="plan_reviewed"),
    path("clients/<int:client_id>/plan/versions/", views.plan_versions, name="plan_versions"),
    path("clients/<int:client_id>/plan/pdf/", views.plan_pdf, name="plan_pdf"),
]
