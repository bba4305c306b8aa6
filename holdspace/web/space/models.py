"""The client's own space: its links, PIN, parts, choices, words and safety plan.

A space link is a capability like a check-in link: only the sha256 of the token is kept.
Nothing here is ever overwritten that the client wrote: words are added, goal marks are
added, and each change to the safety plan is a new version.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from holdspace.web.clients.models import Client
from holdspace.web.reports.models import Goal


class Part(models.TextChoices):
    """The parts of the page, each switched on or off by the client and clinician together."""

    PROGRESS = "progress", "My progress"
    GOALS = "goals", "My goals"
    WORDS = "words", "My own words"
    PLAN = "plan", "My safety plan"
    GROUNDING = "grounding", "Grounding tools"


class ClientSpace(models.Model):
    client = models.OneToOneField(Client, on_delete=models.CASCADE, related_name="space")
    # How the page greets the client: a first name or nothing (never the record's code).
    display_name = models.CharField(max_length=40, blank=True)
    parts = models.JSONField(default=list)  # the Part values switched on
    # The service's expected band on the chart compares the client with other clients:
    # shown only when the clinician chose to share it.
    share_comparison = models.BooleanField(default=False)
    pin_hash = models.CharField(max_length=200, blank=True)
    pin_set_at = models.DateTimeField(null=True, blank=True)
    # Wrong PINs in a row; at the clinic's limit the PIN rests until the clinician resets it.
    pin_failures = models.PositiveIntegerField(default=0)
    # Raised on PIN reset and revocation, so every open visit ends at once.
    generation = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    def shows(self, part: str) -> bool:
        return part in self.parts


class SpaceLink(models.Model):
    space = models.ForeignKey(ClientSpace, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]


class SpaceChoice(models.Model):
    """One choice about the space, by the client or by the clinician with them."""

    space = models.ForeignKey(ClientSpace, on_delete=models.CASCADE, related_name="choices")
    what = models.CharField(max_length=40)  # "part:goals", "share_comparison", "words:12"
    value = models.CharField(max_length=40)  # "on", "off", "shared", "private"
    by_client = models.BooleanField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def describe(self) -> str:
        """The choice in plain words, for the client's page and the clinician's."""
        kind, _, rest = self.what.partition(":")
        if kind == "part" and rest in Part.values:
            return f"{Part(rest).label} switched {self.value}"
        if kind == "share_comparison":
            shown = "shown" if self.value == "on" else "not shown"
            return f"guide from other clients' progress {shown}"
        if kind == "words":
            return "words shared" if self.value == "shared" else "words kept private"
        return f"{self.what}: {self.value}"


class ClientWords(models.Model):
    """Something the client wrote in their space between sessions, kept exactly as written."""

    space = models.ForeignKey(ClientSpace, on_delete=models.CASCADE, related_name="words")
    text = models.TextField()
    # The client chooses whether their therapist (and supervisor) can read it.
    shared = models.BooleanField(default=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["added_at", "pk"]


class Mark(models.TextChoices):
    CLOSER = "closer", "Closer"
    SAME = "same", "About the same"
    FURTHER = "further", "Further away"


class GoalMark(models.Model):
    """Where the client feels they are with a goal, at one moment (every mark is kept)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="marks")
    mark = models.CharField(max_length=8, choices=Mark.choices)
    by_client = models.BooleanField(default=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["at", "pk"]


class SafetyPlanVersion(models.Model):
    """One version of the client's safety plan: every step's text as it stood then."""

    space = models.ForeignKey(ClientSpace, on_delete=models.CASCADE, related_name="plan_versions")
    number = models.PositiveIntegerField()
    steps = models.JSONField(default=dict)  # step id -> text (holdspace/safetyplan/steps.yaml)
    by_client = models.BooleanField()
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["space", "number"], name="one_plan_version_number")
        ]


class SafetyPlanReview(models.Model):
    """The clinician and the client went through the plan together (in session)."""

    space = models.ForeignKey(ClientSpace, on_delete=models.CASCADE, related_name="plan_reviews")
    version = models.ForeignKey(SafetyPlanVersion, on_delete=models.PROTECT, related_name="+")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]
