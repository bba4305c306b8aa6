"""Check-in links and the answers a client has given so far (drafts).

A link is a capability: whoever holds the token may fill in this one check-in. Only the
sha256 of the token is stored, so a copy of the database cannot be used to open links.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone

from holdspace.web.clients.models import Administration, Episode, Session


class LinkKind(models.TextChoices):
    # Two kinds rather than one link reopening: the clinician decides when the alliance
    # question is asked, and a "before" link that has been sent can never ask it.
    BEFORE = "before", "Before the session (symptom measures)"
    AFTER = "after", "After the session (how the session felt)"


class CheckinLink(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="checkin_links")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="checkin_links")
    kind = models.CharField(max_length=8, choices=LinkKind.choices, default=LinkKind.BEFORE)
    # The only thing about the client the page shows: a first name or a code.
    display_name = models.CharField(max_length=40)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    # Set when the client presses "Send"; the link then works no more.
    used_at = models.DateTimeField(null=True, blank=True)
    send_nonce = models.CharField(max_length=64, blank=True)
    # "What I'd like you to know today", in the client's own words.
    client_note = models.TextField(blank=True)
    # Screens owed to the client before the next question (set by the last answer).
    pause_pending = models.BooleanField(default=False)
    crisis_pending = models.BooleanField(default=False)
    # Created knowing the session already had these measures: what the client sends
    # replaces them (the earlier ones are kept in their history). Otherwise an answer for a
    # measure the session already has is kept as not current, so no number flips.
    corrects = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["episode", "created_at"])]

    def status(self, now: datetime | None = None) -> str:
        moment = now or timezone.now()
        if self.used_at is not None:
            return "used"
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= moment:
            return "expired"
        return "open"


class DraftStatus(models.TextChoices):
    # The content note before a trauma measure was read; no answers yet.
    NOTE_SEEN = "note_seen", "Content note read"
    ANSWERED = "answered", "Answered"
    # The whole measure was skipped ("not today"), a choice recorded as such.
    DECLINED = "declined", "Not today"


class CheckinDraft(models.Model):
    """One instrument page of a check-in, kept server-side so a reload loses nothing."""

    link = models.ForeignKey(CheckinLink, on_delete=models.CASCADE, related_name="drafts")
    instrument_id = models.CharField(max_length=32)
    status = models.CharField(max_length=10, choices=DraftStatus.choices)
    answers = models.JSONField(default=list)
    # The nonce of the form that produced these answers: part of the idempotency key.
    nonce = models.CharField(max_length=64, blank=True)
    # Risk answers are recorded at once, before anything else; others when sent.
    administration = models.ForeignKey(
        Administration, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["link", "instrument_id"], name="one_draft_per_page")
        ]
