"""Personal API tokens: made and revoked by their owner, shown once, stored as a digest,
scoped read or read-write, audited; the FHIR CapabilityStatement."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.test import Client as HttpClient
from django.urls import reverse
from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from holdspace.web.accounts.models import ApiToken
from holdspace.web.audit.models import AuditEvent
from holdspace.web.clients import services
from tests.core.interop.samples import fixture

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"<code class=\"token\">(hs_[A-Za-z0-9_-]+)</code>")


def make_token(user, scope: str = "read", name: str = "export job") -> str:
    web = HttpClient()
    web.force_login(user)
    page = web.post(reverse("api_tokens"), {"name": name, "scope": scope})
    assert page.status_code == 200
    found = TOKEN.search(page.content.decode())
    assert found, "the new token is shown on the page that made it"
    return found.group(1)


def bearer(token: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token}"}


def test_a_token_is_shown_once_and_stored_only_as_a_digest(world) -> None:
    raw = make_token(world.alice)

    (stored,) = ApiToken.objects.filter(user=world.alice)
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values().get())
    web = HttpClient()
    web.force_login(world.alice)
    later = web.get(reverse("api_tokens")).content.decode()
    assert raw not in later and stored.prefix in later
    assert AuditEvent.objects.filter(action="create", target=f"api_token:{stored.pk}").exists()


def test_a_read_token_exports_but_cannot_import(world) -> None:
    raw = make_token(world.alice, "read")
    export = reverse("api:episode_bundle", kwargs={"episode_id": world.episode.pk})
    upload = reverse("api:episode_import", kwargs={"episode_id": world.episode.pk})

    got = HttpClient().get(export, **bearer(raw))
    refused = HttpClient().post(
        upload, fixture("uscore-QuestionnaireResponse-phq-9-example.json"),
        content_type="application/fhir+json", **bearer(raw),
    )  # fmt: skip

    assert got.status_code == 200 and got.json()["resourceType"] == "Bundle"
    assert refused.status_code == 403
    assert "may only read" in refused.json()["issue"][0]["diagnostics"]


def test_a_read_write_token_imports_without_a_csrf_token(world) -> None:
    raw = make_token(world.alice, "write")
    episode = services.open_episode(world.client, world.alice, opened_on=dt.date(2022, 11, 1))
    upload = reverse("api:episode_import", kwargs={"episode_id": episode.pk})
    web = HttpClient(enforce_csrf_checks=True)

    done = web.post(
        upload, fixture("uscore-QuestionnaireResponse-phq-9-example.json"),
        content_type="application/fhir+json", **bearer(raw),
    )  # fmt: skip

    assert done.status_code == 201, done.content
    assert done.json()["imported"][0]["total"] == 12


def test_a_token_sees_only_what_its_owner_may_see(world) -> None:
    raw = make_token(world.bob, "read")
    export = reverse("api:episode_bundle", kwargs={"episode_id": world.episode.pk})

    assert HttpClient().get(export, **bearer(raw)).status_code == 404


def test_a_revoked_or_wrong_token_is_refused(world) -> None:
    raw = make_token(world.alice)
    token = ApiToken.objects.get(user=world.alice)
    web = HttpClient()
    web.force_login(world.alice)
    export = reverse("api:episode_bundle", kwargs={"episode_id": world.episode.pk})

    web.post(reverse("api_token_revoke", kwargs={"token_id": token.pk}))

    assert HttpClient().get(export, **bearer(raw)).status_code == 401
    assert HttpClient().get(export, **bearer("hs_nothing")).status_code == 401
    assert HttpClient().get(export, HTTP_AUTHORIZATION="Basic abc").status_code == 401
    assert AuditEvent.objects.filter(action="revoke", target=f"api_token:{token.pk}").exists()


def test_nobody_revokes_another_users_token(world) -> None:
    make_token(world.alice)
    token = ApiToken.objects.get(user=world.alice)
    web = HttpClient()
    web.force_login(world.bob)

    response = web.post(reverse("api_token_revoke", kwargs={"token_id": token.pk}))

    assert response.status_code == 404
    assert ApiToken.objects.get(pk=token.pk).active


def test_a_token_needs_a_name(world) -> None:
    web = HttpClient()
    web.force_login(world.alice)

    page = web.post(reverse("api_tokens"), {"name": "  ", "scope": "read"})

    assert "hs_" not in page.content.decode().split("Your tokens")[0].split("Make a token")[0]
    assert not ApiToken.objects.exists()


def test_the_capability_statement_is_public_and_valid() -> None:
    response = HttpClient().get(reverse("api:metadata"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/fhir+json")
    statement = CapabilityStatement.model_validate_json(response.content)
    assert statement.fhirVersion == "4.3.0"
    types = {r.type for r in statement.rest[0].resource or []}
    assert {"QuestionnaireResponse", "Observation", "Bundle"} <= types
