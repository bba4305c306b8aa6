"""Database rows to interop records, and FHIR import into an episode (all or nothing).

Shared by the API views, the reports and the CLI, so a CSV row, a chart point and a FHIR
resource always agree on session numbers and dates.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from holdspace.instruments import InstrumentError
from holdspace.interop import AdministrationRecord, FhirImportError, read_responses
from holdspace.interop._records import ImportedResponse
from holdspace.web.accounts.models import User
from holdspace.web.clients.models import Administration, Client, Episode, Session
from holdspace.web.clients.services import record_administration, session_number_for


def _sessions_by_episode(episode_ids: Iterable[int]) -> dict[int, list[Session]]:
    found: dict[int, list[Session]] = {}
    for session in Session.objects.filter(episode_id__in=set(episode_ids)).order_by("number"):
        found.setdefault(session.episode_id, []).append(session)
    return found


def to_records(administrations: QuerySet[Administration]) -> list[AdministrationRecord]:
    """Records in time order; two queries for any number of administrations."""
    rows = list(
        administrations.select_related("session", "episode__client").order_by("completed_at", "pk")
    )
    sessions = _sessions_by_episode(a.episode_id for a in rows)
    return [
        AdministrationRecord(
            key=f"administration:{a.pk}",
            episode_id=str(a.episode_id),
            client_code=a.episode.client.code,
            clinician_id=str(a.episode.clinician_id),
            session_number=session_number_for(a, sessions.get(a.episode_id, [])),
            instrument_id=a.instrument_id,
            instrument_version=a.instrument_version,
            answers=tuple(a.answers),
            total=a.total,
            band=a.band or None,
            completed_at=timezone.localtime(a.completed_at),
        )
        for a in rows
    ]


def episode_records(episode: Episode) -> list[AdministrationRecord]:
    return to_records(Administration.objects.filter(episode=episode))


def client_records(client: Client, episodes: QuerySet[Episode]) -> list[AdministrationRecord]:
    """The client's administrations in the given (already access-checked) episodes."""
    return to_records(Administration.objects.filter(episode__in=episodes.filter(client=client)))


def _idempotency_key(response: ImportedResponse) -> str | None:
    """The same response imported twice is stored once."""
    if response.identifier is None:
        return None
    return "fhir:" + hashlib.sha256(response.identifier.encode()).hexdigest()[:40]


def _check_patient(episode: Episode, responses: list[ImportedResponse]) -> None:
    others = sorted({r.patient_code for r in responses if r.patient_code} - {episode.client.code})
    if others:
        raise FhirImportError(
            [
                f"Patient identifier {others[0]!r} is not this episode's client "
                f"({episode.client.code!r}); nothing was imported"
            ]
        )


def import_fhir(
    episode: Episode, raw: str | bytes, *, by: User | None, request: HttpRequest | None = None
) -> list[Administration]:
    """Import every response in `raw` into `episode` in one transaction, or none of them."""
    responses = read_responses(raw)
    _check_patient(episode, responses)
    try:
        with transaction.atomic():
            return [
                record_administration(
                    episode,
                    response.instrument_id,
                    list(response.answers),
                    source="import",
                    entered_by=by,
                    completed_at=response.completed_at,
                    idempotency_key=_idempotency_key(response),
                    request=request,
                )
                for response in responses
            ]
    except InstrumentError as exc:
        raise FhirImportError([f"{exc}; nothing was imported"]) from exc
    except ValidationError as exc:
        messages = [f"{field}: {'; '.join(errors)}" for field, errors in _errors(exc)]
        raise FhirImportError([*messages, "nothing was imported"]) from exc


def _errors(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return [
            (field, [str(m) for e in errs for m in e.messages])
            for field, errs in exc.error_dict.items()
        ]
    return [("import", list(exc.messages))]
