"""URLs a client opens from a check-in link; no sign-in, the token is the key."""

from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.checkins import public_views
from holdspace.web.space import public_views as space_views

app_name = "checkin"
urlpatterns: list[URLPattern | URLResolver] = [
    path("help/", public_views.help_now, name="help"),
    path("<str:token>/", public_views.checkin, name="start"),
    # From the thank-you page to the client's own space (holdspace/web/space/).
    path("<str:token>/space/", space_views.from_checkin, name="to_space"),
]
