"""In a real browser: two-factor set-up works under the strict CSP with no violations."""

from __future__ import annotations

import hmac
import struct
import time
from base64 import b32decode
from hashlib import sha1

import pytest

from holdspace.web.accounts.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-passphrase-42"


def current_code(key: bytes) -> str:
    digest = hmac.new(key, struct.pack(">Q", int(time.time()) // 30), sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def test_required_two_factor_set_up_in_the_browser(live_server, page) -> None:
    User.objects.create_user(username="robin", password=PASSWORD, require_totp=True)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))

    page.goto(f"{live_server.url}/account/login/")
    page.fill("#id_username", "robin")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/account/two-factor/")

    qr = page.locator("figure.qr svg")
    box = qr.bounding_box()
    assert box is not None and box["width"] >= 100 and box["height"] >= 100
    raw = page.locator("figure.qr code").inner_text().replace(" ", "")
    key = b32decode(raw + "=" * (-len(raw) % 8))
    page.fill("#id_code", current_code(key))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")

    assert "Two-factor sign-in is on" in page.content()
    assert [m for m in console if "Content Security Policy" in m] == []
