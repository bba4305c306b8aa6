"""Write and verify the audit chain.

`record()` is the one way to append an event. Callers name the record they touched
("client:12", "episode:3") and what they did; they never pass its content. The request
is used for the address it came from (the client behind any trusted proxy, see
holdspace/web/netaddr.py), never its body.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from holdspace.web.accounts.models import User
from holdspace.web.audit.models import GENESIS_HASH, AuditEvent, ChainHead
from holdspace.web.netaddr import client_ip

ACTIONS = (
    "read",
    "create",
    "update",
    "delete",
    "acknowledge",
    "export",
    "import",
    "login",
    "login_failed",
    "logout",
    "lockout",
    "pin_failed",
    "totp_enrolled",
    "totp_removed",
    "revoke",
)
_ACTION_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
_TARGET_MAX = 120


def record(
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: str,
    *,
    request: HttpRequest | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event to the chain and return it.

    actor is None for client check-ins (no account signs in). `detail` holds ids and
    counts only, never client words or answers: the audit log is not a second record.
    """
    _check(action, target, detail)
    user = actor if isinstance(actor, User) else None
    with transaction.atomic():
        head = _locked_head()
        now = timezone.now()
        event = AuditEvent(
            seq=head.last_seq + 1,
            created_at=now,
            actor=user,
            actor_username=user.get_username() if user is not None else "",
            action=action,
            target=target,
            ip_address=(client_ip(request) or None) if request is not None else None,
            detail=detail or {},
            prev_hash=head.last_hash,
        )
        event.hash = event.compute_hash()
        event.save(force_insert=True)
        head.advance(event, now)
    return event


def _check(action: str, target: str, detail: dict[str, Any] | None) -> None:
    if not _ACTION_PATTERN.match(action):
        raise ValueError(
            f"action: {action!r} is not allowed; use a lowercase word such as "
            f"{', '.join(ACTIONS[:6])} (at most 32 characters)"
        )
    if not target or len(target) > _TARGET_MAX:
        raise ValueError(f"target: give a record name like 'client:12' (1-{_TARGET_MAX} chars)")
    if detail is not None and not isinstance(detail, dict):
        raise ValueError("detail: must be a dict of ids and counts, or None")


def _locked_head() -> ChainHead:
    """Take the chain's lock row, creating it on the very first event."""
    ChainHead.objects.get_or_create(pk=ChainHead.SINGLETON_ID)
    # FOR UPDATE blocks a second writer on PostgreSQL until this transaction ends;
    # SQLite ignores it, and its IMMEDIATE transactions already admit one writer.
    return ChainHead.objects.select_for_update().get(pk=ChainHead.SINGLETON_ID)


@dataclass(frozen=True)
class VerifyResult:
    count: int
    ok: bool
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str = ""
    last_hash: str = GENESIS_HASH


def verify_chain(batch_size: int = 2000) -> VerifyResult:
    """Walk the chain in order; report the first row whose link or content is wrong."""
    expected_prev = GENESIS_HASH
    count = 0
    for event in _in_order(batch_size):
        count += 1
        problem = _row_problem(event, count, expected_prev)
        if problem:
            return VerifyResult(count - 1, False, event.seq, event.pk, problem)
        expected_prev = event.hash
    return _check_head(count, expected_prev)


def _row_problem(event: AuditEvent, position: int, expected_prev: str) -> str:
    if event.seq != position:
        return f"sequence number {event.seq} where {position} was expected (a row is missing)"
    if event.prev_hash != expected_prev:
        return "its link to the previous row does not match (a row was changed or removed)"
    if event.compute_hash() != event.hash:
        return "its content does not match its hash (the row was changed)"
    return ""


def _check_head(count: int, last_hash: str) -> VerifyResult:
    head = ChainHead.objects.filter(pk=ChainHead.SINGLETON_ID).first()
    head_seq = head.last_seq if head else 0
    head_hash = head.last_hash if head else GENESIS_HASH
    if head_seq != count:
        reason = f"the chain ends at row {count} but its head says {head_seq} (rows cut off)"
        return VerifyResult(count, False, count + 1, None, reason)
    if head_hash != last_hash:
        reason = "the last row's hash differs from the one the head recorded"
        return VerifyResult(count, False, count, None, reason)
    return VerifyResult(count, True, last_hash=last_hash)


def _in_order(batch_size: int) -> Iterator[AuditEvent]:
    """Keyset pagination by seq: constant memory for long chains."""
    last = 0
    while True:
        batch = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch_size])
        if not batch:
            return
        yield from batch
        last = batch[-1].seq
