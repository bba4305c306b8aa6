"""TOTP two-factor: the user's device, its QR code, and the pending-login step.

Between the password step and the code step the session holds only the user's id,
the backend that accepted the password and when; the user is not signed in until the
code matches.
"""

from __future__ import annotations

import time
from base64 import b32encode
from typing import TypedDict

import segno
from django.conf import settings
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from holdspace.web.accounts.models import User

PENDING_KEY = "holdspace_pending_login"


class PendingLogin(TypedDict):
    user_id: int
    backend: str
    started: float
    next: str


def is_verified(user: User) -> bool:
    """True when this session gave a TOTP code (OTPMiddleware sets `otp_device`)."""
    return getattr(user, "otp_device", None) is not None


def confirmed_device(user: User) -> TOTPDevice | None:
    device: TOTPDevice | None = (
        TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    )
    return device


def enrolment_device(user: User) -> TOTPDevice:
    """The user's unconfirmed device; kept across reloads so a scanned code stays valid."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=False)
    return device


def qr_svg(device: TOTPDevice) -> str:
    """The provisioning URI as inline SVG: no image request, no script, CSP-safe."""
    qr = segno.make(device.config_url, error="m")
    svg: str = qr.svg_inline(scale=5, light="#ffffff", title="QR code for your authenticator app")
    return svg


def manual_key(device: TOTPDevice) -> str:
    """The secret in base32, grouped in fours, for apps that cannot scan."""
    raw = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def start_pending(request: HttpRequest, user: User, next_url: str) -> None:
    request.session[PENDING_KEY] = PendingLogin(
        user_id=user.pk, backend=getattr(user, "backend", ""), started=time.time(), next=next_url
    )


def pending_user(request: HttpRequest) -> tuple[User, PendingLogin] | None:
    """The user who passed the password step, if that was recent enough."""
    pending: PendingLogin | None = request.session.get(PENDING_KEY)
    if pending is None:
        return None
    if time.time() - pending["started"] > settings.HOLDSPACE_TOTP_LOGIN_WINDOW:
        clear_pending(request)
        return None
    user = User.objects.filter(pk=pending["user_id"], is_active=True).first()
    if user is None:
        clear_pending(request)
        return None
    return user, pending


def clear_pending(request: HttpRequest) -> None:
    request.session.pop(PENDING_KEY, None)
