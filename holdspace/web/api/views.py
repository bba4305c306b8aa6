"""FHIR endpoints: a client's or an episode's Bundle, and import of QuestionnaireResponses.

Session authentication, like the rest of the app; every view starts with an access helper.
Errors come back as a FHIR OperationOutcome naming each problem.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_GET, require_POST

from holdspace.instruments import all_instruments
from holdspace.interop import (
    AdministrationRecord,
    FhirImportError,
    InteropError,
    build_bundle,
    bundle_json,
    capability_statement,
)
from holdspace.web.access import (
    get_client_for_user,
    get_episode_for_user,
    get_rw_episode_for_user,
    request_user,
    visible_episodes,
)
from holdspace.web.api.openapi import openapi_document
from holdspace.web.api.records import client_records, episode_records, import_fhir
from holdspace.web.audit.log import record as audit
from holdspace.web.clients.models import Administration
from holdspace.web.reports.downloads import attachment

FHIR_JSON = "application/fhir+json"


def _fhir(body: str, status: int = 200, filename: str = "") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=f"{FHIR_JSON}; charset=utf-8")
    if filename:
        response["Content-Disposition"] = attachment(filename)
    return response


def _outcome(problems: list[str], status: int) -> HttpResponse:
    issues = [{"severity": "error", "code": "invalid", "diagnostics": p} for p in problems]
    return _fhir(json.dumps({"resourceType": "OperationOutcome", "issue": issues}), status)


def _bundle(client_code: str, records: list[AdministrationRecord], filename: str) -> HttpResponse:
    """The records as a FHIR Bundle download; 409 with an OperationOutcome when one cannot
    be expressed in FHIR (the export checks every resource before it sends any)."""
    try:
        bundle = build_bundle(client_code, records, timestamp=datetime.now(UTC))
    except InteropError as exc:
        return _outcome([str(exc)], 409)
    return _fhir(bundle_json(bundle), filename=filename)


@require_GET
def metadata(request: HttpRequest) -> HttpResponse:
    """The CapabilityStatement: public, as FHIR clients read it before signing in; it
    describes the API and holds no data."""
    base = request.build_absolute_uri("/api/fhir/")
    statement = capability_statement(base, all_instruments(), date=datetime.now(UTC))
    return _fhir(json.dumps(statement, indent=2))


@require_GET
def openapi(request: HttpRequest) -> HttpResponse:
    """The OpenAPI description of this API (checked against the URL conf by a test)."""
    return HttpResponse(json.dumps(openapi_document(), indent=2), content_type="application/json")


@login_required
@require_GET
def client_bundle(request: HttpRequest, client_id: int) -> HttpResponse:
    client = get_client_for_user(request, client_id)
    user = request_user(request)
    records = client_records(client, visible_episodes(user))
    audit(user, "export", f"client:{client.pk}", request=request, detail={"format": "fhir"})
    return _bundle(client.code, records, filename=f"holdspace-{client.code}.fhir.json")


@login_required
@require_GET
def episode_bundle(request: HttpRequest, episode_id: int) -> HttpResponse:
    episode = get_episode_for_user(request, episode_id)
    records = episode_records(episode)
    audit(
        request_user(request),
        "export",
        f"episode:{episode.pk}",
        request=request,
        detail={"format": "fhir"},
    )
    return _bundle(
        episode.client.code, records, filename=f"holdspace-episode-{episode.pk}.fhir.json"
    )


@login_required
@require_POST
def episode_import(request: HttpRequest, episode_id: int) -> HttpResponse:
    """POST a Bundle, a QuestionnaireResponse or a total Observation as the body.

    201 lists what was stored, what had been imported before (a repeat is a no-op), and
    the plain statements about each response; `?allow_outside=1` places responses dated
    outside the episode, with a warning, instead of refusing the file.
    """
    episode = get_rw_episode_for_user(request, episode_id)
    # Checked before the body is read: Django refuses larger bodies with a bare 400.
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440
    if int(request.META.get("CONTENT_LENGTH") or 0) > limit:
        return _outcome([f"body: larger than {limit} bytes; split the file"], 413)
    allow = request.GET.get("allow_outside", "")
    if allow not in ("", "0", "1"):
        return _outcome(["allow_outside: give 1 (place outside the episode) or 0"], 400)
    user = request_user(request)
    try:
        report = import_fhir(
            episode, request.body, by=user, request=request, allow_outside=allow == "1"
        )
    except FhirImportError as exc:
        return _outcome(exc.problems, 400)
    audit(
        user,
        "import",
        f"episode:{episode.pk}",
        request=request,
        detail={"count": len(report.stored), "already": len(report.already)},
    )
    body = {
        "episode": episode.pk,
        "imported": [_row(a) for a in report.stored],
        "already_imported": [_row(a) for a in report.already],
        "notes": report.notes,
        "warnings": report.warnings,
        "skipped": report.skipped,
    }
    return HttpResponse(json.dumps(body), status=201, content_type="application/json")


def _row(a: Administration) -> dict[str, object]:
    return {
        "id": a.pk,
        "instrument": a.instrument_id,
        "total": a.total,
        "sender_total": a.sender_total,
        "total_only": a.total_only,
        "date_only": a.date_only,
    }
