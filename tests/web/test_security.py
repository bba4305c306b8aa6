"""Sign-in security: lockout, TOTP (enrol, login, required), idle timeout, CSP, deploy check."""

from __future__ import annotations

import hmac
import os
import re
import secrets
import struct
import subprocess
import sys
from base64 import b32decode
from datetime import UTC, datetime, timedelta
from hashlib import sha1
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from holdspace.web.accounts.models import Role, User
from holdspace.web.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"
# Near the real clock (sessions are checked against it after a test's time travel),
# at the start of a 30-second TOTP step so codes are predictable.
T0 = datetime.fromtimestamp(int(datetime.now(UTC).timestamp()) // 30 * 30 - 3600, tz=UTC)
ROOT = Path(__file__).resolve().parents[2]


def rfc6238_code(key: bytes, at: datetime) -> str:
    """A TOTP code computed here from the key (RFC 6238, SHA-1, 30 s, 6 digits)."""
    counter = int(at.timestamp()) // 30
    digest = hmac.new(key, struct.pack(">Q", counter), sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def sign_in(client: Client, username: str, password: str = PASSWORD):
    return client.post("/account/login/", {"username": username, "password": password})


@pytest.fixture
def robin() -> User:
    return User.objects.create_user(username="robin", password=PASSWORD, role=Role.CLINICIAN)


@pytest.fixture
def robin_with_totp(robin: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=robin, name="phone", confirmed=True)


# Lockout (django-axes) ------------------------------------------------------------


def test_repeated_failures_pause_sign_in_with_a_kind_page(client: Client, robin: User) -> None:
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit - 1):
        assert sign_in(client, "robin", "wrong-password").status_code == 200

    locked = sign_in(client, "robin", "wrong-password")
    still_locked = sign_in(client, "robin", PASSWORD)

    assert locked.status_code == 429
    assert still_locked.status_code == 429
    text = still_locked.content.decode()
    assert "Sign-in is paused" in text and "1 hour" in text and "nothing is lost" in text
    assert "_auth_user_id" not in client.session
    actions = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
    # The attempt made while paused is a failure too.
    assert actions.count("login_failed") == limit + 1
    assert "lockout" in actions


def test_unlock_command_lifts_the_pause(client: Client, robin: User) -> None:
    from typer.testing import CliRunner

    from holdspace.cli import app

    for _ in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, "robin", "wrong-password")
    result = CliRunner().invoke(app, ["unlock", "robin"])

    assert result.exit_code == 0, result.output
    assert sign_in(client, "robin").status_code == 302


# TOTP ---------------------------------------------------------------------------


def _shown_key(html: str) -> bytes:
    match = re.search(r"Key: <code>([A-Z2-7 ]+)</code>", html)
    assert match, "the page shows the key for manual entry"
    raw = match.group(1).replace(" ", "")
    return b32decode(raw + "=" * (-len(raw) % 8))


def test_enrol_with_the_qr_key_then_sign_in_with_a_code(client: Client, robin: User) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client, "robin")
        page = client.get("/account/two-factor/")
        html = page.content.decode()
        assert "<svg" in html and "<script" not in html  # the QR is inline SVG
        key = _shown_key(html)

        wrong = client.post("/account/two-factor/", {"code": "000000"})
        assert "did not match" in wrong.content.decode()
        clock.shift(timedelta(seconds=5))  # django-otp slows retries after a miss
        done = client.post("/account/two-factor/", {"code": rfc6238_code(key, T0)})
        assert done.status_code == 302
        assert TOTPDevice.objects.get(user=robin).confirmed

        client.post("/account/logout/")
        clock.shift(timedelta(seconds=60))
        password_step = sign_in(client, "robin")
        assert password_step["Location"] == "/account/login/code/"
        assert "_auth_user_id" not in client.session  # not signed in yet
        now = T0 + timedelta(seconds=65)
        code_step = client.post("/account/login/code/", {"code": rfc6238_code(key, now)})
        assert client.session["_auth_user_id"] == str(robin.pk)

    assert code_step.status_code == 302
    assert code_step["Location"] == "/"
    assert AuditEvent.objects.filter(action="totp_enrolled", target=f"user:{robin.pk}").exists()


def test_a_wrong_code_does_not_sign_in_and_counts_as_a_failure(
    client: Client, robin_with_totp: TOTPDevice
) -> None:
    with time_machine.travel(T0, tick=False):
        sign_in(client, "robin")
        right = rfc6238_code(robin_with_totp.bin_key, T0)
        wrong = f"{(int(right) + 1) % 1_000_000:06d}"
        response = client.post("/account/login/code/", {"code": wrong})
        assert "_auth_user_id" not in client.session
        assert client.session["holdspace_pending_login"]["user_id"] == robin_with_totp.user_id

    assert response.status_code == 200
    assert "did not match" in response.content.decode()
    failed = AuditEvent.objects.get(action="login_failed")
    assert failed.detail == {"step": "totp"}


def test_wrong_codes_lead_to_the_same_pause(client: Client, robin_with_totp: TOTPDevice) -> None:
    with time_machine.travel(T0, tick=False):
        sign_in(client, "robin")
        responses = [
            client.post("/account/login/code/", {"code": "000000"})
            for _ in range(settings.AXES_FAILURE_LIMIT)
        ]
        after = client.post(
            "/account/login/code/", {"code": rfc6238_code(robin_with_totp.bin_key, T0)}
        )
        assert "_auth_user_id" not in client.session

    assert [r.status_code for r in responses[:-1]] == [200] * (settings.AXES_FAILURE_LIMIT - 1)
    assert responses[-1].status_code == 429 and after.status_code == 429
    assert "Sign-in is paused" in after.content.decode()


def test_a_session_without_a_code_ends_when_a_device_appears(client: Client, robin: User) -> None:
    sign_in(client, "robin")
    assert client.get("/account/two-factor/").status_code == 200
    TOTPDevice.objects.create(user=robin, name="added elsewhere", confirmed=True)

    response = client.get("/account/two-factor/")

    assert response["Location"] == "/account/login/"
    assert "_auth_user_id" not in client.session


def test_the_code_step_expires(client: Client, robin_with_totp: TOTPDevice) -> None:
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client, "robin")
        clock.shift(timedelta(seconds=settings.HOLDSPACE_TOTP_LOGIN_WINDOW + 1))
        code = rfc6238_code(robin_with_totp.bin_key, T0 + timedelta(seconds=301))
        response = client.post("/account/login/code/", {"code": code})
        assert "_auth_user_id" not in client.session

    assert response["Location"] == "/account/login/"


def test_required_totp_allows_nothing_else_until_enrolled(client: Client, robin: User) -> None:
    robin.require_totp = True
    robin.save()
    with time_machine.travel(T0, tick=False):
        sign_in(client, "robin")
        blocked = client.get("/")
        enrol_page = client.get("/account/two-factor/")
        key = _shown_key(enrol_page.content.decode())
        client.post("/account/two-factor/", {"code": rfc6238_code(key, T0)})
        allowed = client.get("/account/two-factor/")

    assert blocked.status_code == 302 and blocked["Location"] == "/account/two-factor/"
    assert "needs two-factor" in enrol_page.content.decode()
    assert allowed.status_code == 200 and "is <strong>on</strong>" in allowed.content.decode()
    assert "Turn off" not in allowed.content.decode()  # required: it stays on


def test_turning_totp_off_needs_a_current_code(client: Client, robin: User) -> None:
    device = TOTPDevice.objects.create(user=robin, name="phone", confirmed=True)
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client, "robin")
        client.post("/account/login/code/", {"code": rfc6238_code(device.bin_key, T0)})
        clock.shift(timedelta(seconds=31))
        code = rfc6238_code(device.bin_key, T0 + timedelta(seconds=31))
        response = client.post("/account/two-factor/", {"code": code})

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=robin).exists()
    assert AuditEvent.objects.filter(action="totp_removed").count() == 1


# Idle timeout ---------------------------------------------------------------------


def test_idle_session_ends_and_activity_keeps_it(client: Client, robin: User) -> None:
    idle = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    with time_machine.travel(T0, tick=False) as clock:
        sign_in(client, "robin")
        for _ in range(3):  # each request inside the window extends the session
            clock.shift(idle - timedelta(minutes=1))
            assert client.get("/account/two-factor/").status_code == 200
        clock.shift(idle + timedelta(minutes=1))
        expired = client.get("/account/two-factor/")

    assert expired.status_code == 302
    assert expired["Location"].startswith("/account/login/")


# Headers ----------------------------------------------------------------------------


def _policy(response) -> dict[str, str]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d for d in (p.strip() for p in header.split(";")) if d}


@pytest.mark.parametrize("path", ["/account/login/", "/account/two-factor/", "/account/users/"])
def test_pages_carry_a_strict_content_security_policy(client: Client, path: str) -> None:
    User.objects.create_user(username="ada", password=PASSWORD, role=Role.ADMIN)
    sign_in(client, "ada") if path != "/account/login/" else None

    response = client.get(path)

    assert response.status_code == 200
    policy = _policy(response)
    assert policy["script-src"] == "script-src 'self'"
    assert policy["object-src"] == "object-src 'none'"
    assert policy["frame-ancestors"] == "frame-ancestors 'none'"
    assert "unsafe-inline" not in response["Content-Security-Policy"]
    assert "unsafe-eval" not in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def _all_templates() -> list[Path]:
    web = ROOT / "holdspace" / "web"
    return sorted(web.glob("templates/**/*.html")) + sorted(web.glob("*/templates/**/*.html"))


def test_no_template_has_inline_script_style_or_handlers() -> None:
    """The CSP blocks these anyway; this finds them before a browser does."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I)
    handler = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
    style_attr = re.compile(r"<[^>]+\sstyle\s*=", re.I)
    offenders = []
    for path in _all_templates():
        text = path.read_text()
        for name, pattern in (("script", inline_script), ("on*=", handler), ("style=", style_attr)):
            if pattern.search(text):
                offenders.append(f"{path.relative_to(ROOT)}: inline {name}")
    assert len(_all_templates()) > 5
    assert offenders == []


def test_login_form_is_csrf_protected(robin: User) -> None:
    strict = Client(enforce_csrf_checks=True)

    response = strict.post("/account/login/", {"username": "robin", "password": PASSWORD})

    assert response.status_code == 403


def test_production_settings_pass_the_deploy_check(tmp_path: Path) -> None:
    # conftest sets DJANGO_ALLOW_ASYNC_UNSAFE for Playwright; a deployment never would.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {
        **inherited,
        "DJANGO_SETTINGS_MODULE": "holdspace.web.settings_production",
        "HOLDSPACE_DATA": str(tmp_path),
        "HOLDSPACE_SECRET_KEY": secrets.token_urlsafe(50),
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_cookies_are_secure_and_hsts_is_on() -> None:
    from holdspace.web import settings_production as prod

    assert prod.SESSION_COOKIE_SECURE and prod.CSRF_COOKIE_SECURE
    assert prod.SECURE_HSTS_SECONDS >= 31536000 and prod.SECURE_SSL_REDIRECT
    assert prod.SESSION_COOKIE_HTTPONLY
    assert "Argon2PasswordHasher" in prod.PASSWORD_HASHERS[0]


def test_passwords_are_stored_as_argon2(settings) -> None:
    from holdspace.web import settings as app_settings

    settings.PASSWORD_HASHERS = app_settings.PASSWORD_HASHERS  # the test suite uses MD5

    user = User.objects.create_user(username="kai", password=PASSWORD)

    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
