"""Clients, episodes of care, measurement plans, sessions and administrations.

Scores are computed by the core library (holdspace.instruments); the row keeps the
answers exactly as given and the scored result as the core returned it, so that any
number on screen can be explained later.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from holdspace.limits import MAX_EVERY_N_SESSIONS, MAX_SESSION_NUMBER
from holdspace.web.bounds import between, bounded


class Client(models.Model):
    # A pseudonymous code is enough; a name is optional and never required.
    code = models.CharField(max_length=64, unique=True)
    display_name = models.CharField(max_length=120, blank=True)
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="clients"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.display_name or self.code


class EpisodeStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class Episode(models.Model):
    """One course of care."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="episodes")
    clinician = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="episodes"
    )
    opened_on = models.DateField()
    closed_on = models.DateField(null=True, blank=True)
    status = models.CharField(
        max_length=8, choices=EpisodeStatus.choices, default=EpisodeStatus.OPEN
    )
    # Why it ended, in neutral words: "goals met", "client chose to stop", "stopped attending".
    end_reason = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["clinician", "status"])]


class PlanItem(models.Model):
    """One line of an episode's measurement plan: which instrument, and how often."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="plan_items")
    instrument_id = models.CharField(max_length=32)
    every_n_sessions = models.PositiveSmallIntegerField(
        default=1, validators=bounded(1, MAX_EVERY_N_SESSIONS)
    )
    from_session = models.PositiveSmallIntegerField(
        default=1, validators=bounded(1, MAX_SESSION_NUMBER)
    )
    # The alliance measure is asked after the session, other measures before it.
    after_session = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "instrument_id"], name="one_plan_line_per_instrument"
            ),
            between("every_n_sessions", 1, MAX_EVERY_N_SESSIONS),
            between("from_session", 1, MAX_SESSION_NUMBER),
        ]

    def is_due(self, session_number: int) -> bool:
        if session_number < self.from_session:
            return False
        return (session_number - self.from_session) % self.every_n_sessions == 0


class SessionStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    ATTENDED = "attended", "Attended"
    CANCELLED = "cancelled", "Cancelled"
    MISSED = "missed", "Missed"


class Session(models.Model):
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(validators=bounded(1, MAX_SESSION_NUMBER))
    date = models.DateField()
    status = models.CharField(
        max_length=10, choices=SessionStatus.choices, default=SessionStatus.ATTENDED
    )

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="one_session_per_number"),
            between("number", 1, MAX_SESSION_NUMBER),
        ]


class AdministrationSource(models.TextChoices):
    IN_SESSION = "in_session", "Entered in session"
    CHECKIN = "checkin", "Client check-in"
    IMPORT = "import", "Imported"


class CurrentAdministrations(models.Manager["Administration"]):
    """Only current administrations: one truth per instrument per session.

    The default manager, so every read (charts, signals, direction of change, reviews,
    reports, exports, the API) sees the current administration only. A superseded one is
    kept and read through `Administration.with_history` (its page, its history, safety).
    """

    def get_queryset(self) -> models.QuerySet[Administration]:
        return super().get_queryset().filter(superseded_at__isnull=True)


class Administration(models.Model):
    """One completed instrument."""

    objects = CurrentAdministrations()
    with_history = models.Manager()

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="administrations")
    session = models.ForeignKey(
        Session, on_delete=models.SET_NULL, null=True, blank=True, related_name="administrations"
    )
    instrument_id = models.CharField(max_length=32)
    instrument_version = models.CharField(max_length=32)
    # One entry per item in item order: an int, null (missing) or "skip" (skipped by choice).
    answers = models.JSONField()
    total = models.FloatField(null=True, blank=True)
    band = models.CharField(max_length=64, blank=True)
    # The core's full scored result (subscales, flags, algorithms, explanation).
    result = models.JSONField(default=dict)
    has_risk = models.BooleanField(default=False)
    source = models.CharField(max_length=12, choices=AdministrationSource.choices)
    completed_at = models.DateTimeField()
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Makes a retried submission store one row, not two.
    idempotency_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    # From another system: only its total was sent (no item answers), shown as such.
    total_only = models.BooleanField(default=False)
    # The total the sending system gave, kept beside Holdspace's own (`total`).
    sender_total = models.FloatField(null=True, blank=True)
    # The sender gave a date without a time: show the date only.
    date_only = models.BooleanField(default=False)
    # The questionnaire's canonical address as the sender gave it (kept, even if unknown).
    source_questionnaire = models.CharField(max_length=500, blank=True)
    # Set when a correction replaced it (or it arrived for a session that already had one):
    # kept, audited and shown in its history, but no derived number uses it.
    superseded_at = models.DateTimeField(null=True, blank=True)
    superseded_by = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["completed_at"]
        base_manager_name = "with_history"
        indexes = [models.Index(fields=["episode", "instrument_id", "completed_at"])]
        constraints = [
            # At most one current administration per instrument per session (SQLite and
            # PostgreSQL both support partial unique indexes).
            models.UniqueConstraint(
                fields=["session", "instrument_id"],
                condition=models.Q(superseded_at__isnull=True),
                name="one_current_administration_per_session",
            )
        ]

    @property
    def is_current(self) -> bool:
        return self.superseded_at is None

    @property
    def source_label(self) -> str:
        """How it was entered, as shown everywhere: a total-only import says so."""
        return how_entered(self.source, total_only=self.total_only)


def how_entered(source: str, *, total_only: bool = False) -> str:
    """The one wording for an administration's origin (tables, dashboard, reports)."""
    label = str(AdministrationSource(source).label)
    return f"{label} (total only, no item answers)" if total_only else label


class SafetyAcknowledgement(models.Model):
    """A clinician has seen a risk answer and followed it up.

    Until one exists for an administration with a risk answer, the safety signal stays at
    the top of the dashboard and the client page.
    """

    administration = models.ForeignKey(
        Administration, on_delete=models.CASCADE, related_name="acknowledgements"
    )
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()
    # What was done, in the clinician's words (for example "phoned, safety plan reviewed").
    # Required for every new follow-up (services.acknowledge_safety); older rows may be empty.
    note = models.TextField(blank=True)
    # Optional: how it went, and what happens next.
    outcome = models.TextField(blank=True)
    next_step = models.TextField(blank=True)

    class Meta:
        ordering = ["at"]


class FittedTrajectoryModel(models.Model):
    """The service's fitted expected-trajectory model for one instrument, as a row.

    A row, not a file in the data folder, so every process and every machine on one
    database uses the same model (installed by `holdspace trajectories install`).
    `model` holds `TrajectoryModel.to_dict()`; it is validated by the core when read.
    """

    instrument_id = models.CharField(max_length=32, unique=True)
    model = models.JSONField()
    source = models.CharField(max_length=255, blank=True)  # the file it was installed from
    installed_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.instrument_id} trajectory model"
