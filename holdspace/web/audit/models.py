"""The audit log: append-only, hash-chained events.

Each event stores sha256(previous event's hash + its own canonical content), so a row
changed or removed after the fact breaks the chain at that row. `ChainHead` is a
single lock row: writers take it with SELECT ... FOR UPDATE (PostgreSQL) so that two
writers can never attach to the same parent; on SQLite the IMMEDIATE transaction mode
already lets one writer in at a time. The head also keeps the count and the last hash,
so cutting rows off the end of the chain is detected too.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

GENESIS_HASH = "0" * 64


class AppendOnlyError(Exception):
    """Raised when code tries to change or remove an audit event."""


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only: they cannot be updated.")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")


class AuditEvent(models.Model):
    """Who did what to which record, when and from where. Never the content itself."""

    seq = models.PositiveBigIntegerField(unique=True)
    created_at = models.DateTimeField(db_index=True)
    # PROTECT: an account with audit history is deactivated, never deleted.
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audit_events",
    )
    # Kept as written at the time, so the record still reads after a rename.
    actor_username = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, db_index=True)
    target = models.CharField(max_length=120, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]

    def __str__(self) -> str:
        return f"#{self.seq} {self.actor_username or '-'} {self.action} {self.target}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("Audit events are append-only: they cannot be updated.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("Audit events are append-only: they cannot be deleted.")

    def canonical_content(self) -> str:
        """The fields the hash covers, as stable JSON (sorted keys, UTC time)."""
        content = {
            "seq": self.seq,
            "created_at": self.created_at.astimezone(UTC).isoformat(),
            "actor_id": self.actor_id,
            "actor_username": self.actor_username,
            "action": self.action,
            "target": self.target,
            "ip_address": self.ip_address,
            "detail": self.detail,
        }
        return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)

    def compute_hash(self) -> str:
        return chain_hash(self.prev_hash, self.canonical_content())


def chain_hash(prev_hash: str, canonical_content: str) -> str:
    return hashlib.sha256((prev_hash + canonical_content).encode("utf-8")).hexdigest()


class ChainHead(models.Model):
    """The single lock row of the chain: the last sequence number and hash."""

    SINGLETON_ID = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON_ID)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)
    updated_at = models.DateTimeField(null=True, blank=True)

    def advance(self, event: AuditEvent, when: datetime) -> None:
        self.last_seq = event.seq
        self.last_hash = event.hash
        self.updated_at = when
        self.save(update_fields=["last_seq", "last_hash", "updated_at"])
