"""Sign-ins, sign-outs, failed sign-ins and lockouts go into the audit chain."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from holdspace.web.accounts.models import User
from holdspace.web.audit.log import record


def _account_target(username: object) -> str:
    """Name the account by id; a username that matches nobody is not stored (it may
    be a password typed into the wrong box)."""
    user = User.objects.filter(username=username).only("pk").first() if username else None
    return f"user:{user.pk}" if user else "user:unknown"


@receiver(user_logged_in, dispatch_uid="holdspace_audit_login")
def on_login(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    record(user, "login", f"user:{user.pk}", request=request)


@receiver(user_logged_out, dispatch_uid="holdspace_audit_logout")
def on_logout(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        record(user, "logout", f"user:{user.pk}", request=request)


@receiver(user_login_failed, dispatch_uid="holdspace_audit_login_failed")
def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    step = "totp" if credentials.get("step") == "totp" else "password"
    target = _account_target(credentials.get("username"))
    record(None, "login_failed", target, request=request, detail={"step": step})


@receiver(user_locked_out, dispatch_uid="holdspace_audit_lockout")
def on_locked_out(
    sender: Any, request: HttpRequest | None, username: str | None, **kwargs: Any
) -> None:
    record(None, "lockout", _account_target(username), request=request)
