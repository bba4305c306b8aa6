"""The client's address behind trusted reverse proxies (holdspace/web/netaddr.py)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, RequestFactory, override_settings

from holdspace.web.accounts.models import Role, User
from holdspace.web.audit.log import record
from holdspace.web.audit.models import AuditEvent
from holdspace.web.netaddr import client_ip, resolve
from holdspace.web.settings import ip_networks
from tests.web.test_checkin_support import make_link, make_world

PROXY = "10.0.0.5"
TRUSTED = ("10.0.0.0/24",)
PASSWORD = "a-long-passphrase-42"

# (REMOTE_ADDR, X-Forwarded-For, expected client address) with TRUSTED proxies.
CASES = [
    pytest.param("203.0.113.9", "198.51.100.1", "203.0.113.9", id="spoof-from-untrusted-peer"),
    pytest.param(PROXY, "198.51.100.7", "198.51.100.7", id="one-trusted-proxy"),
    pytest.param(PROXY, "", PROXY, id="trusted-proxy-without-header"),
    pytest.param(PROXY, "1.2.3.4, 198.51.100.7", "198.51.100.7", id="client-prepended-a-spoof"),
    pytest.param(PROXY, "198.51.100.7, 10.0.0.9", "198.51.100.7", id="chain-of-two-proxies"),
    pytest.param(PROXY, "198.51.100.7,10.0.0.9 , 10.0.0.8", "198.51.100.7", id="chain-of-three"),
    pytest.param(PROXY, "10.0.0.8, 10.0.0.9", "10.0.0.8", id="every-hop-is-a-proxy"),
    pytest.param(PROXY, "not-an-address", PROXY, id="malformed-header"),
    pytest.param(PROXY, "198.51.100.7:4431", PROXY, id="address-with-port"),
    pytest.param(PROXY, "198.51.100.7, bogus, 10.0.0.9", PROXY, id="malformed-inside-chain"),
    pytest.param(PROXY, "bogus, 198.51.100.7", "198.51.100.7", id="malformed-left-of-client"),
    pytest.param(PROXY, "2001:db8::1", "2001:db8::1", id="ipv6-client"),
    pytest.param("::ffff:10.0.0.5", "198.51.100.7", "198.51.100.7", id="ipv4-mapped-peer"),
    pytest.param("", "198.51.100.7", "", id="no-peer-address"),
]


@pytest.mark.parametrize(("remote", "forwarded", "expected"), CASES)
def test_resolve_walks_the_header_only_through_trusted_proxies(
    remote: str, forwarded: str, expected: str
) -> None:
    assert resolve(remote, forwarded, TRUSTED) == expected


def test_with_no_trusted_proxies_the_header_is_ignored() -> None:
    assert resolve(PROXY, "198.51.100.7", ()) == PROXY


def test_the_default_trusts_nobody() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="1.2.3.4")

    assert settings.HOLDSPACE_TRUSTED_PROXIES == ()
    assert client_ip(request) == "203.0.113.9"


@override_settings(HOLDSPACE_TRUSTED_PROXIES=TRUSTED)
def test_client_ip_reads_the_request() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")

    assert client_ip(request) == "198.51.100.7"


def test_the_setting_accepts_addresses_and_networks() -> None:
    parsed = ip_networks("HOLDSPACE_TRUSTED_PROXIES", " 127.0.0.1, 10.0.0.0/24,,::1 ")

    assert parsed == ("127.0.0.1/32", "10.0.0.0/24", "::1/128")


def test_a_bad_setting_names_the_variable() -> None:
    with pytest.raises(ImproperlyConfigured, match="HOLDSPACE_TRUSTED_PROXIES: 'proxy.local'"):
        ip_networks("HOLDSPACE_TRUSTED_PROXIES", "10.0.0.1,proxy.local")


def test_axes_uses_the_same_helper() -> None:
    assert settings.AXES_CLIENT_IP_CALLABLE == "holdspace.web.netaddr.client_ip"


# Through the app ----------------------------------------------------------------------


@pytest.mark.django_db
@override_settings(HOLDSPACE_TRUSTED_PROXIES=TRUSTED)
def test_the_audit_event_records_the_client_behind_the_proxy() -> None:
    request = RequestFactory().get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")

    event = record(None, "read", "client:1", request=request)

    assert AuditEvent.objects.get(pk=event.pk).ip_address == "198.51.100.7"


@pytest.mark.django_db
def test_the_audit_event_ignores_a_spoofed_header() -> None:
    request = RequestFactory().get(
        "/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.7"
    )

    event = record(None, "read", "client:1", request=request)

    assert AuditEvent.objects.get(pk=event.pk).ip_address == "203.0.113.9"


@pytest.mark.django_db
@override_settings(HOLDSPACE_TRUSTED_PROXIES=TRUSTED)
def test_a_sign_in_behind_the_proxy_is_audited_with_the_client_address() -> None:
    User.objects.create_user(username="robin", password=PASSWORD, role=Role.CLINICIAN)
    web = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")

    web.post("/account/login/", {"username": "robin", "password": PASSWORD})

    login = AuditEvent.objects.get(action="login")
    assert login.ip_address == "198.51.100.7"


@pytest.mark.django_db
@override_settings(HOLDSPACE_TRUSTED_PROXIES=TRUSTED)
def test_a_sign_in_pause_for_one_client_leaves_another_behind_the_proxy_free() -> None:
    User.objects.create_user(username="robin", password=PASSWORD, role=Role.CLINICIAN)
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    robin = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")
    wrong = {"username": "robin", "password": "wrong-password"}

    codes = [
        guesser.post("/account/login/", wrong).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    own = robin.post("/account/login/", {"username": "robin", "password": PASSWORD})

    assert codes[-1] == 429
    assert own.status_code == 302 and "_auth_user_id" in robin.session


@pytest.mark.django_db
def test_check_in_failures_of_one_client_do_not_block_another(settings) -> None:
    # Both through the `settings` fixture: an override_settings decorator around a test
    # that also uses the fixture would leave the proxies trusted for the tests after it.
    settings.HOLDSPACE_TRUSTED_PROXIES = TRUSTED
    cache.clear()
    settings.HOLDSPACE_CHECKIN_IP_FAILURES = 3
    _, token = make_link(make_world())
    guesser = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    client = Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR="198.51.100.7")

    guesses = [guesser.get(f"/c/guess{i:040d}/").status_code for i in range(3)]
    own_guess = client.get(f"/c/guess{99:040d}/")
    guesser_again = guesser.get(f"/c/guess{99:040d}/")

    assert guesses == [404, 404, 404]
    assert own_guess.status_code == 404  # counted for its own address, not refused
    assert guesser_again.status_code == 429
    assert client.get(f"/c/{token}/").status_code == 200


@pytest.mark.django_db
def test_without_trust_a_spoofed_header_does_not_escape_the_check_in_limit(
    settings,
) -> None:
    cache.clear()
    settings.HOLDSPACE_CHECKIN_IP_FAILURES = 3
    _, token = make_link(make_world())

    for i in range(3):
        spoofed = Client(HTTP_X_FORWARDED_FOR=f"198.51.100.{i}")
        assert spoofed.get(f"/c/guess{i:040d}/").status_code == 404
    blocked = Client(HTTP_X_FORWARDED_FOR="198.51.100.200").get(f"/c/guess{99:040d}/")

    assert blocked.status_code == 429
    # A valid link is looked up first and opens whatever the address has done.
    assert Client(HTTP_X_FORWARDED_FOR="198.51.100.200").get(f"/c/{token}/").status_code == 200
