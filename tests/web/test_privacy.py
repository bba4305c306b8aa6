"""Privacy guard rails: no caching of clinical pages, safe download names, nothing about a
client in the server log, CSRF on the API's one write."""

from __future__ import annotations

import io
import logging
import sys
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from holdspace.web.audit.logfilter import WITHHELD, RedactFilter
from holdspace.web.checkins.services import create_link, revoke_link
from holdspace.web.clients import services
from holdspace.web.reports.downloads import attachment, safe_filename
from tests.web.personas import World

pytestmark = pytest.mark.django_db

HOSTILE_CODE = 'AB"; filename="evil.exe'


def signed_in(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    return client


# --- Cache-Control --------------------------------------------------------------------


def _no_store(response: object) -> bool:
    return "no-store" in response["Cache-Control"]  # type: ignore[index]


def test_clinical_pages_and_downloads_are_not_cached() -> None:
    world = World.create()
    alice = signed_in(world.alice)
    pages = [
        reverse("clients:client_detail", kwargs={"client_id": world.client.pk}),
        reverse("reports:client_report", kwargs={"client_id": world.client.pk}),
        reverse("api:episode_bundle", kwargs={"episode_id": world.episode.pk}),
    ]
    for path in pages:
        response = alice.get(path)
        assert response.status_code == 200, path
        assert _no_store(response), f"{path}: {response.get('Cache-Control')}"


def test_redirects_and_the_sign_in_page_are_not_cached_either() -> None:
    world = World.create()
    anonymous = Client().get(reverse("clients:client_detail", kwargs={"client_id": 1}))
    assert anonymous.status_code == 302
    assert _no_store(anonymous)
    assert _no_store(Client().get(reverse("login")))
    assert _no_store(signed_in(world.ada).get(reverse("users")))


# --- download names -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("progress-report-AB-0412-client.pdf", "progress-report-AB-0412-client.pdf"),
        (f"holdspace-{HOSTILE_CODE}.fhir.json", "holdspace-AB-filename-evil.exe.fhir.json"),
        ("record-Zoë Ng\r\nX: 1.zip", "record-Zo-Ng-X-1.zip"),
        ("../../etc/passwd", "etc-passwd"),
        ('"";', "holdspace-download"),
    ],
)
def test_a_download_name_keeps_only_safe_characters(name: str, expected: str) -> None:
    assert safe_filename(name) == expected
    assert attachment(name) == f'attachment; filename="{expected}"'


def test_a_download_name_is_at_most_100_characters() -> None:
    assert len(safe_filename("x" * 500 + ".zip")) == 100


def test_a_client_code_cannot_add_header_parameters() -> None:
    world = World.create()
    client = services.add_client(world.alice, HOSTILE_CODE)
    path = reverse("api:client_bundle", kwargs={"client_id": client.pk})
    response = signed_in(world.alice).get(path)
    assert response.status_code == 200
    header = response["Content-Disposition"]
    assert header == 'attachment; filename="holdspace-AB-filename-evil.exe.fhir.json"'
    assert header.count('"') == 2


# --- the server log -------------------------------------------------------------------


@pytest.fixture
def server_log() -> Iterator[io.StringIO]:
    """What the console handler (the one the server writes to) prints during the test."""
    handlers = [
        h
        for h in logging.getLogger().handlers
        if any(isinstance(f, RedactFilter) for f in h.filters)
    ]
    assert handlers, "the console log handler has lost its RedactFilter (settings.LOGGING)"
    handler = handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    buffer = io.StringIO()
    # Not setStream(): it flushes the old stream, which pytest may already have closed.
    old, handler.stream = handler.stream, buffer
    try:
        yield buffer
    finally:
        handler.stream = old


def test_a_check_in_token_never_reaches_the_log(server_log: io.StringIO) -> None:
    cache.clear()
    world = World.create()
    link, token = create_link(world.episode, world.session, world.alice)
    revoke_link(link, world.alice)

    response = Client().get(reverse("checkin:start", args=[token]))

    assert response.status_code == 410
    logged = server_log.getvalue()
    assert "/c/<token>" in logged  # the request was logged, without its key
    assert token not in logged


def test_an_error_is_logged_with_its_frames_but_not_its_message() -> None:
    code = "-".join(["ALICE", "01"])  # built at run time: the frames show source lines

    def fails() -> None:
        try:
            raise KeyError(f"first {code}")
        except KeyError as exc:
            raise ValueError(f"Key (code)=({code}) already exists") from exc

    try:
        fails()
    except ValueError:
        path = "/c/abcdefghijklmnopqrstuvwxyz0123456789/"
        info = sys.exc_info()
        record = logging.LogRecord(
            "django.request", logging.ERROR, __file__, 1, "Internal Server Error: %s", (path,), info
        )
    RedactFilter().filter(record)
    text = logging.Formatter().format(record)

    assert code not in text
    assert "abcdefghijklmnopqrstuvwxyz0123456789" not in text
    assert "Internal Server Error: /c/<token>/" in text
    assert "builtins.ValueError: " + WITHHELD in text
    assert "builtins.KeyError: " + WITHHELD in text
    assert "in fails" in text  # the frames stay: an operator can still find the fault


def test_a_server_error_shows_and_logs_nothing_about_the_client(
    server_log: io.StringIO, monkeypatch: pytest.MonkeyPatch, settings: object
) -> None:
    from holdspace.web.reports import views

    assert not settings.DEBUG  # type: ignore[attr-defined]
    world = World.create()
    code = world.client.code

    def broken(client: object, *args: object, **kwargs: object) -> None:
        raise RuntimeError(f"cannot build the report for {client.code}")  # type: ignore[attr-defined]

    monkeypatch.setattr(views, "report_context", broken)
    browser = Client(raise_request_exception=False)
    browser.force_login(world.alice)
    response = browser.get(reverse("reports:client_report", kwargs={"client_id": world.client.pk}))

    assert response.status_code == 500
    assert code not in response.content.decode()
    logged = server_log.getvalue()
    assert "Internal Server Error" in logged and "RuntimeError" in logged
    assert code not in logged


def test_the_help_page_path_is_kept_in_the_log() -> None:
    record = logging.LogRecord(
        "x", logging.WARNING, __file__, 1, "Not Found: %s", ("/c/help/",), None
    )
    RedactFilter().filter(record)
    assert record.getMessage() == "Not Found: /c/help/"


# --- CSRF on the API's write ----------------------------------------------------------


def test_the_fhir_import_needs_a_csrf_token() -> None:
    world = World.create()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(world.alice)
    path = reverse("api:episode_import", kwargs={"episode_id": world.episode.pk})
    response = browser.post(path, "{}", content_type="application/fhir+json")
    assert response.status_code == 403
