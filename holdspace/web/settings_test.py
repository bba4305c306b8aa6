"""Test settings: a fast hasher, no lockout noise, mail kept in memory."""

from __future__ import annotations

import os
import tempfile

os.environ.setdefault("HOLDSPACE_DATA", tempfile.mkdtemp(prefix="holdspace-test-"))
os.environ.setdefault(
    "HOLDSPACE_SECRET_KEY", "test-only-secret-key-not-for-production-use-0123456789"
)

from holdspace.web.settings import *  # noqa: E402,F403

# WhiteNoise warns about a missing collected-static folder; tests serve from the package.
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # noqa: F405

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # for speed only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
