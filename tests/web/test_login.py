from __future__ import annotations

import pytest
from django.test import Client

from holdspace.web.accounts.models import User

pytestmark = pytest.mark.django_db


def test_dashboard_requires_sign_in(client: Client) -> None:
    response = client.get("/")

    assert response.status_code == 302
    assert response["Location"].startswith("/account/login/")


def test_a_clinician_can_sign_in(client: Client) -> None:
    User.objects.create_user(username="robin", password="a-long-passphrase-42")

    response = client.post(
        "/account/login/", {"username": "robin", "password": "a-long-passphrase-42"}, follow=True
    )

    assert response.status_code == 200
    assert response.context["user"].username == "robin"
