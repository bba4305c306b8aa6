"""Protective patterns, life events, stuck-point reviews, adaptations and comments.

Card text lives in the core library (holdspace.reviews); a review stores which signals
opened it, the clinician's marks by card id, and the plan.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from holdspace.limits import MAX_SESSION_NUMBER
from holdspace.web.bounds import between, bounded
from holdspace.web.clients.models import Episode, Session


class ProtectivePattern(models.Model):
    """Part of the client's survival map; prompts follow the PTMF questions (docs/reviews.md)."""

    episode = models.ForeignKey(
        Episode, on_delete=models.CASCADE, related_name="protective_patterns"
    )
    name = models.CharField(max_length=120)
    # A word from the starting vocabulary (holdspace/reviews/data/patterns.yaml), optional.
    glossary_key = models.CharField(max_length=32, blank=True)
    looks_like = models.TextField(blank=True)
    protects = models.TextField(blank=True)
    origin = models.TextField(blank=True)  # optional, in the client's own words
    triggers = models.TextField(blank=True)
    costs_now = models.TextField(blank=True)
    helps_soften = models.TextField(blank=True)
    strengths = models.TextField(blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class PatternSighting(models.Model):
    """The pattern was seen in a session."""

    pattern = models.ForeignKey(
        ProtectivePattern, on_delete=models.CASCADE, related_name="sightings"
    )
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    noted_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-noted_at"]


class LifeEvent(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="life_events")
    happened_on = models.DateField()
    description = models.CharField(max_length=300)
    noted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    noted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-happened_on", "-pk"]


class ReviewTrigger(models.TextChoices):
    SIGNAL = "signal", "Opened from a signal"
    MANUAL = "manual", "Opened by hand"


class StuckPointReview(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="reviews")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(default=timezone.now)
    trigger = models.CharField(max_length=8, choices=ReviewTrigger.choices)
    # The signals the review was opened for: [{"kind", "severity", "summary"}].
    signals = models.JSONField(default=list)
    plan = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-pk"]

    @property
    def kinds(self) -> list[str]:
        return [str(s.get("kind", "")) for s in self.signals]


class HypothesisMark(models.TextChoices):
    FITS = "fits", "Fits"
    UNSURE = "unsure", "Not sure yet"
    DOES_NOT_FIT = "does_not_fit", "Does not fit"


class ReviewHypothesis(models.Model):
    """The clinician's mark on one card of a review."""

    review = models.ForeignKey(
        StuckPointReview, on_delete=models.CASCADE, related_name="hypotheses"
    )
    card_id = models.CharField(max_length=80)
    mark = models.CharField(max_length=12, choices=HypothesisMark.choices)
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["review", "card_id"], name="one_mark_per_card")
        ]


class AdaptationKind(models.TextChoices):
    PACE = "pace", "Pace"
    APPROACH = "approach", "Approach"
    SESSION_FORMAT = "session_format", "Session format"
    FOCUS = "focus", "Focus"
    REFERRAL = "referral", "Referral"
    SUPPORTS = "supports", "Involving supports"


class AdaptationQuerySet(models.QuerySet["Adaptation"]):
    def in_effect(self) -> AdaptationQuerySet:
        """Adaptations not withdrawn: the ones the chart marks and the comparison uses."""
        return self.filter(withdrawn_at__isnull=True)


class Adaptation(models.Model):
    """What changes, and from which session; the chart marks it and later compares."""

    objects = AdaptationQuerySet.as_manager()

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="adaptations")
    review = models.ForeignKey(
        StuckPointReview,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="adaptations",
    )
    kind = models.CharField(max_length=16, choices=AdaptationKind.choices)
    description = models.CharField(max_length=300)
    starts_on_session = models.PositiveSmallIntegerField(validators=bounded(1, MAX_SESSION_NUMBER))
    # The outcome measure the before/after comparison uses.
    instrument_id = models.CharField(max_length=32)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    # Withdrawn (recorded by mistake, or never carried out): kept for the record and the
    # audit log, left out of the chart and of the before/after comparison.
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["starts_on_session", "pk"]
        constraints = [between("starts_on_session", 1, MAX_SESSION_NUMBER)]

    @property
    def title(self) -> str:
        return f"{self.get_kind_display()}: {self.description}"

    def __str__(self) -> str:
        return self.title


class ReviewComment(models.Model):
    """A supervisor's comment on a review; the clinician reads it on the review page."""

    review = models.ForeignKey(StuckPointReview, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
