"""Django settings for Holdspace.

Zero-config defaults run on one laptop with SQLite; `DATABASE_URL` moves to PostgreSQL.
Every variable read here is listed in docs/configuration.md.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent


def envbool(name: str, default: str) -> bool:
    value = os.getenv(name, default)
    if value not in ("", "True", "False"):
        raise ImproperlyConfigured(f"Unexpected value {name}={value}, use 'True' or 'False'")
    return value == "True"


def envint(name: str, default: int, minimum: int | None = None) -> int:
    value = os.getenv(name, str(default))
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be a whole number, got {value!r}") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}, got {number}")
    return number


def ip_networks(name: str, value: str) -> tuple[str, ...]:
    """A comma-separated list of IP addresses or CIDR networks, checked at start."""
    found = []
    for part in (p.strip() for p in value.split(",")):
        if not part:
            continue
        try:
            found.append(str(ipaddress.ip_network(part, strict=False)))
        except ValueError as exc:
            raise ImproperlyConfigured(
                f"{name}: {part!r} is not an IP address or CIDR network; "
                "use e.g. 10.0.0.5,10.0.0.0/24"
            ) from exc
    return tuple(found)


DATA_DIR = Path(os.getenv("HOLDSPACE_DATA", "holdspace-data")).resolve()


SECRET_KEY_FILE = DATA_DIR / "secret_key"


def _secret_key() -> str:
    """The environment's key, else the data folder's; importing settings never writes one.

    `holdspace serve`, `migrate`, `demo` and `createuser` create the file (mode 0600) when
    it is missing (holdspace/web/datafolder.py); other commands only read it.
    """
    if os.getenv("HOLDSPACE_SECRET_KEY"):
        return os.environ["HOLDSPACE_SECRET_KEY"]
    try:
        return SECRET_KEY_FILE.read_text().strip()
    except FileNotFoundError:
        # Django refuses to sign anything with an empty key, so nothing runs unnoticed.
        return ""


SECRET_KEY = _secret_key()
# Clinical data: debug is off unless asked for.
DEBUG = envbool("HOLDSPACE_DEBUG", "False")
ALLOWED_HOSTS = [
    h for h in os.getenv("HOLDSPACE_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "csp",
    "holdspace.web.accounts",
    "holdspace.web.clients",
    "holdspace.web.audit",
    "holdspace.web.checkins",
    "holdspace.web.notes",
    "holdspace.web.reviews",
    "holdspace.web.reports",
    "holdspace.web.space",
    "holdspace.web.wording",
]

MIDDLEWARE = [
    # First: the scheme and client address only as HOLDSPACE_TRUSTED_PROXIES allow.
    "holdspace.web.netaddr.TrustedProxyMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Static files with far-future cache headers, before anything that touches a session.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Outermost but one, so redirects and lockout pages are covered too: clinical pages
    # and downloads are never cached (docs/security.md, Headers).
    "holdspace.web.accounts.middleware.NoStoreMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After OTP and messages: a user who must use two-factor enrols before anything else.
    "holdspace.web.accounts.middleware.TwoFactorMiddleware",
    # API calls with a personal bearer token (docs/security.md, API tokens).
    "holdspace.web.accounts.tokens.TokenMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "holdspace.web.urls"
WSGI_APPLICATION = "holdspace.web.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "clients:dashboard"
LOGOUT_REDIRECT_URL = "login"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]


def _databases() -> dict[str, dict[str, object]]:
    url = os.getenv("DATABASE_URL")
    if url:
        return {"default": dict(dj_database_url.parse(url, conn_max_age=60))}
    return {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "holdspace.sqlite3",
            "OPTIONS": {
                # WAL lets check-ins be written while clinicians read; IMMEDIATE
                # avoids lock upgrades failing under concurrent writers.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }


DATABASES = _databases()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

AXES_FAILURE_LIMIT = envint("HOLDSPACE_LOGIN_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
# Behind a reverse proxy every request comes from the proxy's address; only the proxies
# named here may say who the client is (X-Forwarded-For). Empty: trust nobody.
HOLDSPACE_TRUSTED_PROXIES = ip_networks(
    "HOLDSPACE_TRUSTED_PROXIES", os.getenv("HOLDSPACE_TRUSTED_PROXIES", "")
)
# Lockouts count per client, not per proxy (holdspace/web/netaddr.py).
AXES_CLIENT_IP_CALLABLE = "holdspace.web.netaddr.client_ip"
# A calm page that says when to try again, instead of a bare 429.
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"

# Shown as the account's name in the authenticator app.
OTP_TOTP_ISSUER = os.getenv("HOLDSPACE_TOTP_ISSUER", "Holdspace")
# A login that passed the password step must give its code within this many seconds.
HOLDSPACE_TOTP_LOGIN_WINDOW = 300

# Idle timeout: the session ends after this many seconds without a request.
SESSION_COOKIE_AGE = envint("HOLDSPACE_IDLE_TIMEOUT", 30 * 60, minimum=1)
SESSION_SAVE_EVERY_REQUEST = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

LANGUAGE_CODE = "en-gb"
TIME_ZONE = os.getenv("HOLDSPACE_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
# `holdspace serve` collects static files into the data folder with content-hashed names
# and compressed copies; WhiteNoise serves them with a year's cache (the name changes when
# the file does). Before collection (tests, a fresh checkout) files come from the package.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "holdspace.web.staticfiles.HashedStaticFiles"},
}
WHITENOISE_USE_FINDERS = True

# Everything processes share lives in the database, or in Redis when it is configured:
# check-in rate limits, PIN tries, one-time nonces. Sign-in lockouts are django-axes rows.
HOLDSPACE_REDIS_URL = os.getenv("HOLDSPACE_REDIS_URL", "")
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": HOLDSPACE_REDIS_URL}
        if HOLDSPACE_REDIS_URL
        else {"BACKEND": "holdspace.web.cache.DatabaseCache", "LOCATION": "holdspace_cache"}
    )
}
# Processes `holdspace serve` starts (more than one: gunicorn; one: waitress).
HOLDSPACE_WORKERS = envint("HOLDSPACE_WORKERS", 1, minimum=1)

# Client data never reaches the logs: only warnings from Django itself, no request bodies.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # Check-in tokens and exception messages are withheld (holdspace/web/audit/logfilter.py).
    "filters": {"redact": {"()": "holdspace.web.audit.logfilter.RedactFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

EMAIL_BACKEND = os.getenv("HOLDSPACE_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = os.getenv("HOLDSPACE_SMTP_HOST", "")
EMAIL_PORT = envint("HOLDSPACE_SMTP_PORT", 587, minimum=1)
DEFAULT_FROM_EMAIL = os.getenv("HOLDSPACE_FROM_EMAIL", "holdspace@localhost")

# Check-in links (docs/checkin.md): how long a link stays open, and the rate limits.
HOLDSPACE_CHECKIN_HOURS = envint("HOLDSPACE_CHECKIN_HOURS", 72, minimum=1)
# Requests allowed per closed (used, expired, revoked) link per window; an open link is
# never refused (a phone needs about 10 requests per check-in).
HOLDSPACE_CHECKIN_TOKEN_LIMIT = envint("HOLDSPACE_CHECKIN_TOKEN_LIMIT", 120, minimum=1)
# Unknown, expired or used links opened from one address per window: only failures count,
# so a clinic whose clients share one address is never slowed.
HOLDSPACE_CHECKIN_IP_FAILURES = envint("HOLDSPACE_CHECKIN_IP_FAILURES", 30, minimum=1)
HOLDSPACE_CHECKIN_WINDOW = envint("HOLDSPACE_CHECKIN_WINDOW", 900, minimum=1)
# Crisis services shown to a client: the region listed first, and a clinic's own file
# whose regions replace the bundled ones (holdspace/web/checkins/crisis.py).
HOLDSPACE_CRISIS_REGION = os.getenv("HOLDSPACE_CRISIS_REGION", "GB")
HOLDSPACE_CRISIS_RESOURCES = os.getenv("HOLDSPACE_CRISIS_RESOURCES", "")

# Folder of an organisation's own instrument definitions (for instruments it licenses).
HOLDSPACE_LOCAL_INSTRUMENTS = os.getenv("HOLDSPACE_LOCAL_INSTRUMENTS", "")

# Stuck-point reviews (docs/reviews.md): a clinic's own review cards, and how many scores
# after an adaptation before the before/after comparison is shown (a product default).
HOLDSPACE_LOCAL_CARDS = os.getenv("HOLDSPACE_LOCAL_CARDS", "")
HOLDSPACE_ADAPTATION_MIN_SESSIONS = envint("HOLDSPACE_ADAPTATION_MIN_SESSIONS", 3, minimum=1)

# The client's own space (docs/client-space.md). A clinic may turn the PIN off, for example
# where clients only open their space on the clinic's own tablet.
HOLDSPACE_SPACE_PIN = envbool("HOLDSPACE_SPACE_PIN", "True")
# Wrong PINs: at most this many per window, and this many in a row before the PIN rests
# until the clinician resets it. NIST SP 800-63B section 5.2.2 asks a verifier to allow no
# more than 100 consecutive failed attempts; 10 keeps a 4-digit PIN out of reach of
# guessing (10 tries in 10,000) while a mistyped PIN costs nothing.
HOLDSPACE_SPACE_PIN_TRIES = envint("HOLDSPACE_SPACE_PIN_TRIES", 5, minimum=1)
HOLDSPACE_SPACE_PIN_WINDOW = envint("HOLDSPACE_SPACE_PIN_WINDOW", 900, minimum=1)
HOLDSPACE_SPACE_PIN_LIMIT = envint("HOLDSPACE_SPACE_PIN_LIMIT", 10, minimum=1)
# A visit to the space ends after this many seconds without a request (a shared phone).
HOLDSPACE_SPACE_IDLE = envint("HOLDSPACE_SPACE_IDLE", 900, minimum=1)
