"""Database rows to interop records, and FHIR import into an episode (all or nothing).

Shared by the API views, the reports and the CLI, so a CSV row, a chart point and a FHIR
resource always agree on session numbers and dates.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from holdspace.instruments import InstrumentError
from holdspace.interop import (
    AdministrationRecord,
    FhirImportError,
    ImportBatch,
    ImportedResponse,
    read_fhir,
)
from holdspace.web.accounts.models import User
from holdspace.web.clients.models import Administration, Client, Episode, Session
from holdspace.web.clients.services import (
    Provenance,
    add_client,
    open_episode,
    record_administration,
    session_number_for,
)


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
            date_only=a.date_only,
            total_only=a.total_only,
        )
        for a in rows
    ]


def episode_records(episode: Episode) -> list[AdministrationRecord]:
    return to_records(Administration.objects.filter(episode=episode))


def client_records(client: Client, episodes: QuerySet[Episode]) -> list[AdministrationRecord]:
    """The client's administrations in the given (already access-checked) episodes."""
    return to_records(Administration.objects.filter(episode__in=episodes.filter(client=client)))


def _idempotency_key(response: ImportedResponse) -> str:
    """The same response imported twice is stored once: its identifier, else its id at
    its sender, else a hash of its content (`ImportedResponse.source_key`)."""
    key = response.source_key or response.identifier or ""
    return "fhir:" + hashlib.sha256(key.encode()).hexdigest()[:40]


def _check_patient(client_code: str, responses: list[ImportedResponse]) -> None:
    others = sorted({r.patient_code for r in responses if r.patient_code} - {client_code})
    if others:
        raise FhirImportError(
            [
                f"Patient identifier {others[0]!r} is not this episode's client "
                f"({client_code!r}); nothing was imported"
            ]
        )


@dataclass(frozen=True)
class ImportReport:
    """What an import did, in words for the person who ran it."""

    episode: Episode
    stored: list[Administration]
    # Found from an earlier import of the same responses: nothing new was written.
    already: list[Administration]
    # Plain statements per response (a total that disagrees, no total and why, ...).
    notes: list[str] = field(default_factory=list)
    # Placed although dated outside the episode (allowed by the caller).
    warnings: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _completed_at(response: ImportedResponse) -> dt.datetime:
    if response.completed_at is not None:
        return response.completed_at
    # A date alone: the start of that day here, shown as the date only (date_only).
    return timezone.make_aware(dt.datetime.combine(response.completed_on, dt.time.min))


def _span(episode: Episode) -> str:
    end = episode.closed_on.isoformat() if episode.closed_on else "still open"
    return f"{episode.opened_on.isoformat()} to {end}"


def _outside(episode: Episode, day: dt.date) -> bool:
    return day < episode.opened_on or (episode.closed_on is not None and day > episode.closed_on)


def _check_dates(
    episode: Episode, responses: list[ImportedResponse], *, allow_outside: bool
) -> tuple[list[str], list[str]]:
    """(problems, warnings): a future date is always refused; one outside the episode is
    refused unless the caller allows it, and then it is placed with a warning."""
    problems, warnings = [], []
    today = timezone.localdate()
    for response in responses:
        day = response.completed_on
        if day > today or (
            response.completed_at is not None
            and response.completed_at > timezone.now() + dt.timedelta(minutes=5)
        ):
            problems.append(f"{response.where}: completed {day.isoformat()}, which is after today")
        elif _outside(episode, day):
            text = (
                f"{response.where}: completed {day.isoformat()}, outside episode "
                f"{episode.pk} ({_span(episode)})"
            )
            if allow_outside:
                warnings.append(text + "; placed in it as asked")
            else:
                problems.append(
                    text + "; import it into the episode that covers that date, or allow "
                    "placing it outside (--allow-outside, or allow_outside=1 in the API)"
                )
    return problems, warnings


def _check_repeats(
    episode: Episode, responses: list[ImportedResponse]
) -> tuple[list[str], dict[str, Administration]]:
    keys = {_idempotency_key(r): r for r in responses}
    found = {
        a.idempotency_key: a for a in Administration.with_history.filter(idempotency_key__in=keys)
    }
    problems = [
        f"{keys[key].where}: already imported into episode {a.episode_id}, not this one"
        for key, a in found.items()
        if key is not None and a.episode_id != episode.pk
    ]
    return problems, {k: a for k, a in found.items() if k is not None}


def import_batch(
    episode: Episode,
    batch: ImportBatch,
    *,
    by: User | None,
    request: HttpRequest | None = None,
    allow_outside: bool = False,
) -> ImportReport:
    """Store every administration in `batch` in `episode` in one transaction, or none.

    Problems across the whole file (dates, earlier imports into another episode, the
    Patient) are collected first and raised together as FhirImportError.
    """
    responses = batch.responses
    _check_patient(episode.client.code, responses)
    problems, warnings = _check_dates(episode, responses, allow_outside=allow_outside)
    repeat_problems, earlier = _check_repeats(episode, responses)
    problems += repeat_problems
    if problems:
        raise FhirImportError([*problems, "nothing was imported"])
    stored: list[Administration] = []
    already: list[Administration] = []
    notes = [f"{r.where}: {note}" for r in responses for note in r.notes]
    try:
        with transaction.atomic():
            for response in responses:
                key = _idempotency_key(response)
                if key in earlier:
                    already.append(earlier[key])
                    continue
                stored.append(
                    record_administration(
                        episode,
                        response.instrument_id,
                        list(response.answers),
                        source="import",
                        entered_by=by,
                        completed_at=_completed_at(response),
                        idempotency_key=key,
                        request=request,
                        provenance=Provenance(
                            sender_total=response.sender_total,
                            questionnaire=response.questionnaire or "",
                            date_only=response.date_only,
                            notes=response.notes,
                        ),
                        total_only=response.total if response.total_only else None,
                    )
                )
    except InstrumentError as exc:
        raise FhirImportError([f"{exc}; nothing was imported"]) from exc
    except ValidationError as exc:
        messages = [f"{field}: {'; '.join(errors)}" for field, errors in _errors(exc)]
        raise FhirImportError([*messages, "nothing was imported"]) from exc
    return ImportReport(episode, stored, already, notes, warnings, batch.skipped)


def import_fhir(
    episode: Episode,
    raw: str | bytes,
    *,
    by: User | None,
    request: HttpRequest | None = None,
    allow_outside: bool = False,
) -> ImportReport:
    """Import every administration in `raw` into `episode` in one transaction, or none."""
    return import_batch(
        episode, read_fhir(raw), by=by, request=request, allow_outside=allow_outside
    )


def episode_for_import(
    client_code: str, batch: ImportBatch, *, clinician: User | None
) -> tuple[Episode, list[str]]:
    """The client's episode that spans every response, creating the client and an episode
    when they do not exist (records brought in whole from another system).

    Call inside a transaction: if the import then fails, nothing created here remains.
    Returns the episode and what was created, in words.
    """
    _check_patient(client_code, batch.responses)
    first = min(r.completed_on for r in batch.responses)
    last = max(r.completed_on for r in batch.responses)
    client = Client.objects.filter(code=client_code).first()
    created: list[str] = []
    if client is None:
        if clinician is None:
            raise FhirImportError(
                [
                    f"no client with code {client_code!r}: give --clinician USERNAME, the "
                    "clinician whose caseload the new client joins"
                ]
            )
        client = add_client(clinician, client_code)
        created.append(f"client {client_code}")
    for episode in client.episodes.order_by("-opened_on"):
        if not _outside(episode, first) and not _outside(episode, last):
            return episode, created
    owner = clinician or client.clinician
    episode = open_episode(client, owner, opened_on=first)
    created.append(f"episode {episode.pk} (from {first.isoformat()}, open)")
    return episode, created


def _errors(exc: ValidationError) -> list[tuple[str, list[str]]]:
    if hasattr(exc, "error_dict"):
        return [
            (field, [str(m) for e in errs for m in e.messages])
            for field, errs in exc.error_dict.items()
        ]
    return [("import", list(exc.messages))]
