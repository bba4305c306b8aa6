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


class TokenScope(models.TextChoices):
    READ = "read", "Read (export only)"
    WRITE = "write", "Read and write (export and import)"


class ApiToken(models.Model):
    """A personal token for the API, made and revoked by its owner, shown once.

    Only a SHA-256 digest is stored: the token is 256 random bits, so a fast hash gives
    nothing to guess from, and the digest can be looked up directly.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=80)
    scope = models.CharField(max_length=8, choices=TokenScope.choices)
    # The first characters, shown in lists so the owner can tell tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    @property
    def active(self) -> bool:
        return self.revoked_at is None
