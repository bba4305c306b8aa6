"""Goals for an episode, in the client's own words where possible; the report shows them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from holdspace.web.clients.models import Episode


class Goal(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="goals")
    text = models.CharField(max_length=300)
    # None when the client added the goal in their own space (they have no account).
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    added_by_client = models.BooleanField(default=False)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]

    def __str__(self) -> str:
        return self.text
