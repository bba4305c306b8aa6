from __future__ import annotations

from django.urls import URLPattern, URLResolver, path

from holdspace.web.accounts import views

urlpatterns: list[URLPattern | URLResolver] = [
    path("login/", views.login_view, name="login"),
    path("logout/", views.logout_view, name="logout"),
]
