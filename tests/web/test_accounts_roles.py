"""Role gates across apps: admins see no clinical content; supervisors see supervisees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from holdspace.web.accounts.models import Role, User
from holdspace.web.clients.models import Client as ClientRecord
from holdspace.web.clients.models import Episode

pytestmark = pytest.mark.django_db

CODE = "ZX-4471"


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def robin() -> User:
    return User.objects.create_user(username="robin", password="x", role=Role.CLINICIAN)


@pytest.fixture
def episode(robin: User) -> Episode:
    record = ClientRecord.objects.create(code=CODE, clinician=robin)
    return Episode.objects.create(client=record, clinician=robin, opened_on=dt.date(2026, 1, 5))


def clinical_pages(episode: Episode) -> list[str]:
    return [f"/clients/{episode.client_id}/", f"/episodes/{episode.pk}/"]


def test_the_owning_clinician_opens_the_pages(robin: User, episode: Episode) -> None:
    client = signed_in(robin)

    for path in clinical_pages(episode):
        assert client.get(path).status_code == 200, path


def test_an_admin_gets_404_on_clinical_pages(episode: Episode) -> None:
    admin = signed_in(User.objects.create_user(username="ada", password="x", role=Role.ADMIN))

    for path in clinical_pages(episode):
        assert admin.get(path).status_code == 404, path
    for path in ("/", "/clients/"):
        response = admin.get(path)
        assert CODE not in response.content.decode(), path


def test_a_supervisor_reads_only_supervisees(robin: User, episode: Episode) -> None:
    sky = User.objects.create_user(username="sky", password="x", role=Role.SUPERVISOR)
    lee = User.objects.create_user(username="lee", password="x", role=Role.SUPERVISOR)
    robin.supervisors.add(sky)

    for path in clinical_pages(episode):
        assert signed_in(sky).get(path).status_code == 200, path
        assert signed_in(lee).get(path).status_code == 404, path
