"""Who may open the admin pages: admins only; everyone else gets 404."""

from __future__ import annotations

from django.http import Http404, HttpRequest
from django.urls import reverse

from holdspace.web.accounts.models import Role, User


def signed_in_user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User) or not user.is_authenticated:
        raise Http404
    return user


def get_admin(request: HttpRequest) -> User:
    """The signed-in admin; 404 (not 403) for anyone else, so the page is not revealed."""
    user = signed_in_user(request)
    if user.role != Role.ADMIN:
        raise Http404
    return user


def home_url(user: User) -> str:
    """Where a user lands after sign-in: admins manage accounts, never a caseload."""
    if user.role == Role.ADMIN:
        return reverse("users")
    return reverse("clients:dashboard")
