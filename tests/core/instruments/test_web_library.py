"""The signed-in instrument library pages."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from holdspace.instruments import LOCAL_ENV, all_instruments
from holdspace.web.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client: Client) -> Client:
    user = User.objects.create_user(username="robin", password="a-long-passphrase-42")
    client.force_login(user)
    return client


def test_the_library_requires_sign_in(client: Client) -> None:
    for url in ("/instruments/", "/instruments/phq9/"):
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith("/account/login/")


def test_the_list_shows_every_instrument_with_its_licence(signed_in: Client) -> None:
    response = signed_in.get("/instruments/")

    html = response.content.decode()
    assert response.status_code == 200
    for ins in all_instruments():
        assert f'href="/instruments/{ins.id}/"' in html
    assert "cc_by_nd_4_0" in html and "scoring only: text supplied locally" in html


@pytest.mark.parametrize("instrument_id", [ins.id for ins in all_instruments()])
def test_every_detail_page_renders(signed_in: Client, instrument_id: str) -> None:
    response = signed_in.get(f"/instruments/{instrument_id}/")

    assert response.status_code == 200
    assert response.context["instrument"].id == instrument_id


def test_the_detail_page_shows_rules_and_sources(signed_in: Client) -> None:
    html = signed_in.get("/instruments/phq9/").content.decode()

    assert "Little interest or pleasure in doing things" in html
    assert "total ≥ 10" in html and "NHS Talking Therapies" in html
    assert "Major depressive syndrome" in html
    assert "phq9_9 at 1 or above" in html


def test_wsas_shows_labels_not_text(signed_in: Client) -> None:
    html = signed_in.get("/instruments/wsas/").content.decode()

    assert "[Ability to work]" in html and "offered for scoring only" in html


def test_an_unknown_instrument_is_404(signed_in: Client) -> None:
    assert signed_in.get("/instruments/srs/").status_code == 404


def test_malformed_local_files_are_listed_by_file_and_field(
    signed_in: Client, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "broken.yaml").write_text("id: x\n", encoding="utf-8")
    monkeypatch.setenv(LOCAL_ENV, str(tmp_path))

    html = signed_in.get("/instruments/").content.decode()

    assert "Local definitions not loaded" in html
    assert "broken.yaml: field (top level)" in html
    assert 'href="/instruments/phq9/"' in html
