"""Session notes, and the clinician's recorded choices to keep flagged wording.

The linter (holdspace.language) only suggests; a clinician may keep their words. That
choice is recorded here (rule, the words, when), never blocked.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from holdspace.web.clients.models import Episode, Session

MAX_NOTE_CHARS = 50_000  # about 8,000 words: far beyond a session note, small enough to lint fast


class SessionNote(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="notes")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="notes"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="session_notes"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["episode", "created_at"])]

    def __str__(self) -> str:
        return f"Note {self.pk}"

    def kept(self) -> set[tuple[str, str]]:
        """(rule, words) pairs the author chose to keep, words case-folded."""
        return {(k.rule, k.text.casefold()) for k in self.kept_wordings.all()}


class KeptWording(models.Model):
    """One decision to keep flagged wording in a note."""

    note = models.ForeignKey(SessionNote, on_delete=models.CASCADE, related_name="kept_wordings")
    rule = models.CharField(max_length=64)
    text = models.CharField(max_length=200)
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at"]
        constraints = [
            models.UniqueConstraint(fields=["note", "rule", "text"], name="keep_wording_once")
        ]
