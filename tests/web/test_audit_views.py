"""The admin's audit page, and sign-ins recorded in the chain."""

from __future__ import annotations

import pytest
from django.test import Client

from holdspace.web.accounts.models import Role, User
from holdspace.web.audit.log import record, verify_chain
from holdspace.web.audit.models import AuditEvent
from holdspace.web.audit.views import PAGE_SIZE

pytestmark = pytest.mark.django_db

PASSWORD = "a-long-passphrase-42"


@pytest.fixture
def ada() -> User:
    return User.objects.create_user(username="ada", password=PASSWORD, role=Role.ADMIN)


@pytest.fixture
def robin() -> User:
    return User.objects.create_user(username="robin", password=PASSWORD)


@pytest.fixture
def admin_client(ada: User) -> Client:
    client = Client()
    client.force_login(ada)
    return client


def _targets(response) -> list[str]:
    return [e.target for e in response.context["events"]]


def test_admin_sees_events_newest_first_and_filters(
    admin_client: Client, ada: User, robin: User
) -> None:
    record(robin, "read", "client:1")
    record(robin, "update", "client:12")
    record(None, "create", "administration:4")
    record(robin, "read", "episode:3")

    everything = admin_client.get("/audit/")
    by_robin = admin_client.get("/audit/", {"user": "robin"})
    one_client = admin_client.get("/audit/", {"target": "client:12"})
    all_clients = admin_client.get("/audit/", {"target": "client"})

    # The oldest event is the admin's own sign-in.
    assert _targets(everything) == [
        "episode:3",
        "administration:4",
        "client:12",
        "client:1",
        f"user:{ada.pk}",
    ]
    assert _targets(by_robin) == ["episode:3", "client:12", "client:1"]
    assert _targets(one_client) == ["client:12"]
    assert _targets(all_clients) == ["client:12", "client:1"]
    assert "(check-in link)" in everything.content.decode()


def test_audit_page_is_paginated_and_keeps_the_filter(admin_client: Client, robin: User) -> None:
    for i in range(PAGE_SIZE + 5):
        record(robin, "read", f"client:{i}")

    first = admin_client.get("/audit/", {"user": "robin"})
    second = admin_client.get("/audit/", {"user": "robin", "page": 2})

    assert len(first.context["events"]) == PAGE_SIZE
    assert len(second.context["events"]) == 5
    assert "?user=robin&amp;page=2" in first.content.decode()


def test_sign_in_and_sign_out_are_recorded_with_the_address(robin: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.4")

    client.post("/account/login/", {"username": "robin", "password": PASSWORD})
    client.post("/account/logout/")

    events = list(AuditEvent.objects.order_by("seq"))
    assert [(e.action, e.target, e.actor) for e in events] == [
        ("login", f"user:{robin.pk}", robin),
        ("logout", f"user:{robin.pk}", robin),
    ]
    assert events[0].ip_address == "198.51.100.4"
    assert verify_chain().ok


def test_failed_sign_ins_are_recorded_without_the_typed_name(robin: User) -> None:
    client = Client(REMOTE_ADDR="198.51.100.4")

    client.post("/account/login/", {"username": "robin", "password": "not-it"})
    client.post("/account/login/", {"username": "MySecretPassword!", "password": "x"})

    known, unknown = AuditEvent.objects.order_by("seq")
    assert (known.action, known.target, known.actor) == ("login_failed", f"user:{robin.pk}", None)
    assert known.detail == {"step": "password"}
    assert unknown.target == "user:unknown"
    assert "MySecretPassword" not in unknown.canonical_content()
