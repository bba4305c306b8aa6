from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    CLINICIAN = "clinician", "Clinician"
    SUPERVISOR = "supervisor", "Supervisor"
    ADMIN = "admin", "Admin"


class User(AbstractUser):
    """A person who signs in. Clients never sign in; they use check-in links."""

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CLINICIAN)
    # A supervisor sees the caseloads of the clinicians assigned to them.
    supervisors = models.ManyToManyField(
        "self", symmetrical=False, related_name="supervisees", blank=True
    )
    require_totp = models.BooleanField(default=False)

    @property
    def is_clinician(self) -> bool:
        return self.role == Role.CLINICIAN

    @property
    def is_supervisor(self) -> bool:
        return self.role == Role.SUPERVISOR

    @property
    def is_holdspace_admin(self) -> bool:
        return self.role == Role.ADMIN
