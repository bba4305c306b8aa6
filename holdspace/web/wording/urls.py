from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.wording import views

app_name = "wording"
urlpatterns: list[URLPattern | URLResolver] = [
    path("check/", views.check, name="check"),
    path("keep/", views.keep, name="keep"),
]
