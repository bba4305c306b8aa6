"""Personal API tokens: made and revoked by their owner, stored as digests, audited.

A request with `Authorization: Bearer <token>` under /api/ is authenticated by
`TokenMiddleware` as the token's owner; a read token may only GET (or HEAD). No session
is made, so the CSRF check (which protects cookies) does not apply to it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable

from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import timezone

from holdspace.web.accounts.models import ApiToken, TokenScope, User
from holdspace.web.audit.log import record as audit

PREFIX = "hs_"
# last_used_at is written at most this often, so a busy script does not write every call.
TOUCH_EVERY = dt.timedelta(minutes=1)
READ_METHODS = ("GET", "HEAD", "OPTIONS")


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def create_token(
    user: User, name: str, scope: str, *, request: HttpRequest | None = None
) -> tuple[ApiToken, str]:
    """A new token and its one-time plain text (never stored, never shown again)."""
    name = name.strip()
    if not name or len(name) > 80:
        raise ValueError("name: give the token a name of 1 to 80 characters (what it is for)")
    if scope not in TokenScope.values:
        raise ValueError(f"scope: one of {', '.join(TokenScope.values)}")
    raw = PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=name, scope=scope, prefix=raw[:10], digest=_digest(raw)
        )
        audit(user, "create", f"api_token:{token.pk}", request=request, detail={"scope": scope})
    return token, raw


def revoke_token(token: ApiToken, by: User, *, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit(by, "revoke", f"api_token:{token.pk}", request=request)


def authenticate(raw: str) -> ApiToken | None:
    """The active token for `raw`, its owner active; None otherwise."""
    if not raw.startswith(PREFIX) or len(raw) > 100:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(digest=_digest(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token


def _outcome(message: str, status: int) -> HttpResponse:
    body = {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": "error", "code": "security", "diagnostics": message}],
    }
    response = HttpResponse(json.dumps(body), status=status, content_type="application/fhir+json")
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="holdspace"'
    return response


class TokenMiddleware:
    """Authenticate API calls that carry a bearer token (after the session middleware, so
    the token's owner replaces any session user for that request)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header or not request.path.startswith("/api/"):
            return self.get_response(request)
        kind, _, raw = header.partition(" ")
        if kind.lower() != "bearer" or not raw.strip():
            return _outcome("Authorization: use 'Bearer <token>'", 401)
        token = authenticate(raw.strip())
        if token is None:
            return _outcome("the token is not valid, or it was revoked", 401)
        if token.scope == TokenScope.READ and request.method not in READ_METHODS:
            return _outcome("this token may only read; make a read-write token to import", 403)
        request.user = token.user
        request.api_token = token  # type: ignore[attr-defined]
        # No cookie is involved, so there is nothing for CSRF to protect.
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]
        return self.get_response(request)
