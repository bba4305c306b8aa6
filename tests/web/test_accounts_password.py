"""An admin sets a temporary password: validated, signs the person out, audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from holdspace.web.accounts.models import Role, User
from holdspace.web.audit.models import AuditEvent
from tests.web.test_accounts import PASSWORD, make_user, signed_in

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "fresh-start-harbour-73"


def url(user: User) -> str:
    return f"/account/users/{user.pk}/password/"


@pytest.fixture
def ada() -> User:
    return make_user("ada", Role.ADMIN)


@pytest.fixture
def robin() -> User:
    return make_user("robin", email="robin.harbour@example.org")


def test_the_edit_page_links_to_the_password_page(ada: User, robin: User) -> None:
    html = signed_in(ada).get(f"/account/users/{robin.pk}/").content.decode()

    assert url(robin) in html


def test_admin_sets_a_temporary_password(ada: User, robin: User) -> None:
    response = signed_in(ada).post(url(robin), {"password": NEW_PASSWORD})

    assert response.status_code == 302 and response["Location"] == f"/account/users/{robin.pk}/"
    robin.refresh_from_db()
    assert robin.check_password(NEW_PASSWORD)
    assert not robin.check_password(PASSWORD)
    fresh = Client()
    signed = fresh.post("/account/login/", {"username": "robin", "password": NEW_PASSWORD})
    assert signed.status_code == 302 and "_auth_user_id" in fresh.session


def test_it_signs_the_person_out_of_existing_sessions(ada: User, robin: User) -> None:
    robins_laptop = signed_in(robin)
    dashboard = reverse("clients:dashboard")
    assert robins_laptop.get(dashboard).status_code == 200

    signed_in(ada).post(url(robin), {"password": NEW_PASSWORD})
    after = robins_laptop.get(dashboard)

    assert after.status_code == 302 and after["Location"].startswith("/account/login/")


def test_setting_ones_own_password_keeps_this_session(ada: User) -> None:
    admin = signed_in(ada)

    admin.post(url(ada), {"password": NEW_PASSWORD})

    assert admin.get("/account/users/").status_code == 200


def test_it_is_audited_without_the_password(ada: User, robin: User) -> None:
    signed_in(ada).post(url(robin), {"password": NEW_PASSWORD})

    event = AuditEvent.objects.get(action="password_set")
    assert event.actor == ada and event.target == f"user:{robin.pk}"
    assert event.ip_address == "127.0.0.1"
    stored = f"{event.detail} {event.target} {event.actor_username}"
    assert NEW_PASSWORD not in stored


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short-1", "at least 10 characters"),
        ("1234567890123", "entirely numeric"),
        ("password123", "too common"),
        ("robin.harbour", "too similar to the email address"),
        ("", "This field is required"),
    ],
)
def test_a_weak_password_is_refused_naming_the_field(
    ada: User, robin: User, password: str, message: str
) -> None:
    response = signed_in(ada).post(url(robin), {"password": password})

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert list(errors) == ["password"]
    assert message in " ".join(errors["password"])
    robin.refresh_from_db()
    assert robin.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="password_set").exists()


@pytest.mark.parametrize("role", [Role.CLINICIAN, Role.SUPERVISOR])
def test_only_an_admin_may_set_a_password(role: str, robin: User) -> None:
    other = signed_in(make_user("kit", role))

    page = other.get(url(robin))
    attempt = other.post(url(robin), {"password": NEW_PASSWORD})

    assert page.status_code == 404 and attempt.status_code == 404
    robin.refresh_from_db()
    assert robin.check_password(PASSWORD)


def test_it_needs_sign_in(robin: User) -> None:
    response = Client().post(url(robin), {"password": NEW_PASSWORD})

    assert response.status_code == 302 and response["Location"].startswith("/account/login/")
    robin.refresh_from_db()
    assert robin.check_password(PASSWORD)


def test_an_unknown_user_is_404(ada: User) -> None:
    assert signed_in(ada).get("/account/users/999999/password/").status_code == 404
