"""Production settings: everything in settings.py plus transport security."""

from __future__ import annotations

from holdspace.web.settings import *  # noqa: F403

SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_SSL_REDIRECT = True
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
# No SECURE_PROXY_SSL_HEADER: Django would believe X-Forwarded-Proto from anyone. The
# scheme comes from the trusted proxies only (holdspace.web.netaddr.TrustedProxyMiddleware).
