"""One include per app; each app owns its own URL list."""

from __future__ import annotations

from django.urls import include, path

urlpatterns = [
    path("", include("holdspace.web.clients.urls")),
    path("account/", include("holdspace.web.accounts.urls")),
    path("c/", include("holdspace.web.checkins.public_urls")),
    path("checkins/", include("holdspace.web.checkins.urls")),
    path("s/", include("holdspace.web.space.public_urls")),
    path("spaces/", include("holdspace.web.space.urls")),
    path("notes/", include("holdspace.web.notes.urls")),
    path("wording/", include("holdspace.web.wording.urls")),
    path("reviews/", include("holdspace.web.reviews.urls")),
    path("reports/", include("holdspace.web.reports.urls")),
    path("audit/", include("holdspace.web.audit.urls")),
    path("instruments/", include("holdspace.web.library.urls")),
    path("api/", include("holdspace.web.api.urls")),
]
