"""A clinician's explicit "keep my wording" for flagged words in one field of one record.

Notes keep theirs in holdspace.web.notes (KeptWording); every other free-text field a
clinician or supervisor writes keeps them here, by the record's audit target ("adaptation:12")
and the field name. A label in a client-facing field is shown to the client only once kept.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class KeptLabel(models.Model):
    target = models.CharField(max_length=64)  # the audit target of the record, "goal:7"
    field = models.CharField(max_length=40)
    rule = models.CharField(max_length=64)
    text = models.CharField(max_length=200)  # the kept words, case-folded
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["decided_at", "pk"]
        indexes = [models.Index(fields=["target", "field"])]
        constraints = [
            models.UniqueConstraint(
                fields=["target", "field", "rule", "text"], name="keep_label_once"
            )
        ]
