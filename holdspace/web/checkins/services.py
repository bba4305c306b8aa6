"""Check-in links: create, resolve, step through, send.

Views stay short: they resolve the link, ask `current_step`, and call one function here
per form. Every administration is written through `clients.services.record_administration`.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils import timezone

from holdspace.instruments import SKIP, Instrument, ScoreResult, get_instrument, score
from holdspace.limits import MAX_ID
from holdspace.web.accounts.models import User
from holdspace.web.audit.log import record as audit
from holdspace.web.checkins.models import CheckinDraft, CheckinLink, DraftStatus, LinkKind
from holdspace.web.clients.models import (
    Administration,
    AdministrationSource,
    Episode,
    PlanItem,
    Session,
)
from holdspace.web.clients.services import OnExisting, SessionHasOne, record_administration
from holdspace.web.inputs import InputError, clean_text, parse_int

Answer = int | str | None


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def idempotency_key(link: CheckinLink, instrument_id: str, nonce: str) -> str:
    """Same link + instrument + form nonce -> same key, so a retried form stores one row."""
    return hashlib.sha256(f"{link.token_hash}:{instrument_id}:{nonce}".encode()).hexdigest()


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


# --- clinician side -----------------------------------------------------------------


def create_link(
    episode: Episode,
    session: Session,
    by: User,
    *,
    kind: str = LinkKind.BEFORE,
    display_name: str = "",
    corrects: bool = False,
    request: HttpRequest | None = None,
) -> tuple[CheckinLink, str]:
    """Return the link and its token; the token is shown once and never stored.

    When the session already has a measure this link asks, it is refused (SessionHasOne)
    unless `corrects`: the clinician was told and chose to correct it."""
    if session.episode_id != episode.pk:
        raise ValidationError({"session": "That session belongs to another episode."})
    if kind not in LinkKind.values:
        raise ValidationError({"kind": f"kind must be one of {', '.join(LinkKind.values)}"})
    name = display_name.strip() or episode.client.code
    if len(name) > 40:
        raise ValidationError({"display_name": "Use a first name or code of at most 40 letters."})
    token = secrets.token_urlsafe(32)  # 256 random bits
    now = timezone.now()
    with transaction.atomic():
        recorded = already_recorded(session, kind)
        if recorded and not corrects:
            raise SessionHasOne(recorded[0])
        link = CheckinLink.objects.create(
            corrects=corrects,
            token_hash=hash_token(token),
            episode=episode,
            session=session,
            kind=kind,
            display_name=name,
            created_by=by,
            created_at=now,
            expires_at=now + timedelta(hours=settings.HOLDSPACE_CHECKIN_HOURS),
        )
        audit(by, "create", f"checkin_link:{link.pk}", request=request)
    return link, token


def instruments_for(session: Session, kind: str) -> list[Instrument]:
    """The plan's instruments for this session and link kind, in plan order."""
    items = PlanItem.objects.filter(
        episode_id=session.episode_id, after_session=kind == LinkKind.AFTER
    ).order_by("pk")
    return [get_instrument(p.instrument_id) for p in items if p.is_due(session.number)]


def already_recorded(session: Session, kind: str) -> list[Administration]:
    """The session's current administrations of the measures a link of this kind asks."""
    ids = [i.id for i in instruments_for(session, kind)]
    found = Administration.objects.select_related("session").filter(
        session=session, instrument_id__in=ids
    )
    return sorted(found, key=lambda a: ids.index(a.instrument_id))


def revoke_link(link: CheckinLink, by: User, *, request: HttpRequest | None = None) -> None:
    with transaction.atomic():
        if link.revoked_at is None and link.used_at is None:
            link.revoked_at = timezone.now()
            link.save(update_fields=["revoked_at"])
            audit(by, "update", f"checkin_link:{link.pk}", request=request, detail={"revoked": 1})


# --- client side --------------------------------------------------------------------


def find_link(token: str) -> CheckinLink | None:
    return (
        CheckinLink.objects.select_related("episode", "session")
        .filter(token_hash=hash_token(token))
        .first()
    )


def due_instruments(link: CheckinLink) -> list[Instrument]:
    """The plan's instruments for this session and link kind, in plan order."""
    return instruments_for(link.session, link.kind)


StepKind = Literal["crisis", "pause", "note", "measure", "send"]


@dataclass(frozen=True)
class Step:
    kind: StepKind
    instrument: Instrument | None
    position: int  # 1-based number of the instrument being asked
    total: int  # how many instruments this check-in has


def current_step(link: CheckinLink) -> Step:
    instruments = due_instruments(link)
    total = len(instruments)
    if link.crisis_pending:
        return Step("crisis", None, 0, total)
    if link.pause_pending:
        return Step("pause", None, 0, total)
    drafts = {d.instrument_id: d.status for d in link.drafts.all()}
    for position, instrument in enumerate(instruments, start=1):
        status = drafts.get(instrument.id)
        if status is None and instrument.content_note:
            return Step("note", instrument, position, total)
        if status in (None, DraftStatus.NOTE_SEEN):
            return Step("measure", instrument, position, total)
    return Step("send", None, total, total)


class AnswerFormError(ValueError):
    """A posted answer outside the item's options; names the item and what is allowed."""


def parse_answers(instrument: Instrument, data: dict[str, str]) -> list[Answer]:
    """Form fields `item-<id>` -> answers: an option value, SKIP ("not today"), or None."""
    answers: list[Answer] = []
    for item in instrument.items:
        raw = data.get(f"item-{item.id}", "")
        if raw == "":
            answers.append(None)
        elif raw == SKIP:
            answers.append(SKIP)
        else:
            allowed = [o.value for o in item.options]
            try:
                value = parse_int(raw, field=f"item {item.id}", minimum=-MAX_ID, maximum=MAX_ID)
            except InputError:
                value = None
            if value not in allowed:
                choices = ", ".join(str(v) for v in allowed)
                shown = clean_text(raw)[:20]
                raise AnswerFormError(
                    f"item {item.id}: {shown!r} is not allowed; choose one of {choices} or 'skip'"
                )
            answers.append(value)
    return answers


def high_distress(instrument: Instrument, result: ScoreResult) -> bool:
    """Offer a grounding pause after answers in the instrument's caseness range or its
    most severe band (both from the instrument's cited definition)."""
    if result.caseness:
        return True
    worst = instrument.bands[-1].label if instrument.bands else None
    return instrument.direction == "higher_is_worse" and worst is not None and result.band == worst


def save_page(
    link: CheckinLink,
    instrument: Instrument,
    answers: Sequence[Answer],
    nonce: str,
    *,
    request: HttpRequest | None = None,
) -> ScoreResult:
    """Keep one page's answers; a risk answer is recorded first, in its own transaction."""
    result = score(instrument, list(answers))
    administration = None
    if result.has_risk:
        # Safety first: this commits before the draft is touched, so nothing later
        # (a crash, a lost connection) can lose the risk answer.
        administration = record_administration(
            link.episode,
            instrument.id,
            list(answers),
            source=AdministrationSource.CHECKIN,
            session=link.session,
            idempotency_key=idempotency_key(link, instrument.id, nonce),
            request=request,
            on_existing=_on_existing(link),
        )
    with transaction.atomic():
        _upsert_draft(
            link,
            instrument.id,
            DraftStatus.ANSWERED,
            list(answers),
            nonce,
            administration,
            request=request,
        )
        link.crisis_pending = result.has_risk
        link.pause_pending = not result.has_risk and high_distress(instrument, result)
        link.save(update_fields=["crisis_pending", "pause_pending"])
    return result


def mark_page(
    link: CheckinLink,
    instrument: Instrument,
    status: str,
    nonce: str,
    *,
    request: HttpRequest | None = None,
) -> None:
    """Record reading a content note, or skipping the whole measure ("not today")."""
    with transaction.atomic():
        _upsert_draft(link, instrument.id, status, [], nonce, None, request=request)


def _upsert_draft(
    link: CheckinLink,
    instrument_id: str,
    status: str,
    answers: list[Answer],
    nonce: str,
    administration: Administration | None,
    *,
    request: HttpRequest | None = None,
) -> None:
    draft = (
        CheckinDraft.objects.select_for_update()
        .filter(link=link, instrument_id=instrument_id)
        .first()
    )
    if draft is not None and draft.status != DraftStatus.NOTE_SEEN:
        return  # a double tap: the first answer stands
    fields = {
        "status": status,
        "answers": answers,
        "nonce": nonce,
        "administration": administration,
        "updated_at": timezone.now(),
    }
    if draft is None:
        try:
            with transaction.atomic():
                CheckinDraft.objects.create(link=link, instrument_id=instrument_id, **fields)
        except IntegrityError:
            return  # a concurrent double tap created it first
    else:
        CheckinDraft.objects.filter(pk=draft.pk).update(**fields)
    # Every write of client data is audited (who: nobody, the client has no account).
    detail = {"instrument": instrument_id, "status": status}
    audit(None, "update", f"checkin_link:{link.pk}", request=request, detail=detail)


def clear_interlude(link: CheckinLink) -> None:
    """The client has finished with the crisis-resources or grounding screen."""
    if link.crisis_pending:
        # A grounding pause may still be welcome after the resources screen.
        link.crisis_pending = False
        link.pause_pending = True
    else:
        link.pause_pending = False
    link.save(update_fields=["crisis_pending", "pause_pending"])


@dataclass(frozen=True)
class SendOutcome:
    sent: bool  # False: the link was already used by another send
    has_risk: bool


def send(
    link: CheckinLink, note: str, nonce: str, *, request: HttpRequest | None = None
) -> SendOutcome:
    """Record every answered page and the client's note, and close the link: all or nothing."""
    with transaction.atomic():
        locked = CheckinLink.objects.select_for_update().get(pk=link.pk)
        if locked.used_at is not None:
            # A double tap or a retry of this same form counts as sent; another is not.
            return SendOutcome(locked.send_nonce == nonce, _has_risk(locked))
        for draft in locked.drafts.filter(administration__isnull=True).exclude(
            status=DraftStatus.NOTE_SEEN
        ):
            _record_draft(locked, draft, request)
        locked.used_at = timezone.now()
        locked.send_nonce = nonce
        locked.client_note = note.strip()
        locked.save(update_fields=["used_at", "send_nonce", "client_note"])
        audit(None, "create", f"checkin:{locked.pk}", request=request, detail={"link": locked.pk})
    return SendOutcome(True, _has_risk(locked))


def _record_draft(link: CheckinLink, draft: CheckinDraft, request: HttpRequest | None) -> None:
    instrument = get_instrument(draft.instrument_id)
    answers: list[Answer] = (
        list(draft.answers)
        if draft.status == DraftStatus.ANSWERED
        else [SKIP] * len(instrument.items)  # the whole measure: "not today"
    )
    draft.administration = record_administration(
        link.episode,
        instrument.id,
        answers,
        source=AdministrationSource.CHECKIN,
        session=link.session,
        idempotency_key=idempotency_key(link, instrument.id, draft.nonce),
        request=request,
        on_existing=_on_existing(link),
    )
    draft.save(update_fields=["administration"])


def _on_existing(link: CheckinLink) -> OnExisting:
    # Never refused: the client cannot be asked. A correction replaces what the session
    # has; any other answer for a measure it already has is kept, not current.
    return "supersede" if link.corrects else "keep"


def _has_risk(link: CheckinLink) -> bool:
    return link.drafts.filter(administration__has_risk=True).exists()
