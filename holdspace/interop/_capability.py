"""The FHIR CapabilityStatement for `/api/fhir/metadata`: what the API does, honestly.

Holdspace is not a general FHIR server: it exports Bundles for a client or an episode and
imports responses and score Observations into an episode. The statement says so in
`rest.documentation` and lists each resource with what is done with it, and the
Questionnaires (one per instrument definition) it understands.
"""

from __future__ import annotations

from datetime import datetime
from importlib.metadata import PackageNotFoundError, version
from typing import Any

from fhir.resources.R4B.capabilitystatement import CapabilityStatement

from holdspace.instruments import Instrument
from holdspace.interop._fhir_common import LOINC_QUESTIONNAIRE_BASE, questionnaire_url

Json = dict[str, Any]


def _version() -> str:
    try:
        return version("holdspace")
    except PackageNotFoundError:  # pragma: no cover - running from a plain checkout
        return "unknown"


def capability_statement(base_url: str, instruments: list[Instrument], *, date: datetime) -> Json:
    """A validated R4B CapabilityStatement (JSON) for the API rooted at `base_url`."""
    canonicals = sorted(
        {questionnaire_url(i.id) for i in instruments}
        | {LOINC_QUESTIONNAIRE_BASE + i.loinc_panel for i in instruments if i.loinc_panel}
    )
    resources: list[Json] = [
        {
            "type": "Bundle",
            "documentation": (
                "GET fhir/clients/{id}/ and fhir/episodes/{id}/ return a collection Bundle "
                "(Patient, Questionnaires, QuestionnaireResponses, total Observations). "
                "POST fhir/episodes/{id}/import/ takes a Bundle of responses or Observations."
            ),
        },
        {
            "type": "QuestionnaireResponse",
            "documentation": (
                "Imported through fhir/episodes/{id}/import/ (all or nothing); the "
                "instrument is recognised from the address, a Questionnaire in the Bundle, "
                "or LOINC linkIds. Questionnaire addresses understood: "
                + ", ".join(canonicals)
                + "."
            ),
        },
        {
            "type": "Observation",
            "documentation": (
                "Exported: one per total. Imported: a total on its own (total only), or "
                "a panel with its item Observations."
            ),
        },
        {
            "type": "Questionnaire",
            "documentation": "Exported with each Bundle, one per instrument used.",
        },
        {
            "type": "Patient",
            "documentation": "Exported pseudonymously: the client code only.",
        },
    ]
    statement: Json = {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": date.isoformat(),
        "kind": "instance",
        "software": {"name": "Holdspace", "version": _version()},
        "implementation": {"description": "Holdspace FHIR API", "url": base_url},
        "fhirVersion": "4.3.0",
        "format": ["application/fhir+json", "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": (
                    "Not a general FHIR REST server: export and import endpoints only, "
                    "described in the OpenAPI document at ../openapi.json."
                ),
                "security": {
                    "cors": False,
                    "description": (
                        "A signed-in browser session, or a personal API token sent as "
                        "'Authorization: Bearer <token>' (read, or read-write for import)."
                    ),
                },
                "resource": resources,
            }
        ],
    }
    CapabilityStatement.model_validate(statement)
    return statement
