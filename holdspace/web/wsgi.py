from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "holdspace.web.settings")
# Whatever server imports this, files it creates (a SQLite database, its WAL) are private.
os.umask(0o077)
application = get_wsgi_application()
