"""Two-factor gate: an account that must use TOTP enrols before it sees anything else,
and a session that never gave a code cannot use an account that has a device."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers

from holdspace.web.accounts.models import User
from holdspace.web.accounts.twofactor import confirmed_device, is_verified

# Pages any signed-in session may open, verified or not.
_ALWAYS_OPEN = ("logout", "login", "login_code")


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self._open_paths: frozenset[str] | None = None

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        user = request.user
        if isinstance(user, User) and not is_verified(user) and not self._is_open(request):
            gate = self._gate(request, user)
            if gate is not None:
                return gate
        return self.get_response(request)

    def _is_open(self, request: HttpRequest) -> bool:
        if self._open_paths is None:
            self._open_paths = frozenset(reverse(name) for name in _ALWAYS_OPEN)
        return request.path in self._open_paths

    def _gate(self, request: HttpRequest, user: User) -> HttpResponseBase | None:
        if confirmed_device(user) is not None:
            # The device was added in another session: this one never gave a code.
            logout(request)
            return redirect("login")
        if user.require_totp and request.path != reverse("two_factor"):
            messages.info(request, "Your account needs two-factor sign-in. Set it up to go on.")
            return redirect("two_factor")
        return None


class NoStoreMiddleware:
    """Clinical pages and downloads are never kept by the browser or a proxy.

    A shared clinic computer's back button or disk cache, or a caching proxy, would
    otherwise hold client data after sign-out. Every response gets `Cache-Control:
    no-store` unless its view chose a policy itself; static files are served before
    the middleware runs (StaticFilesHandler), so they keep their own headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if not response.has_header("Cache-Control"):
            add_never_cache_headers(response)
        return response
