"""Dashboard with 500 clients: p95 server time, as a ratio against a trivial logged-in view.

Both are served by the same waitress server, in the same run, on a fresh SQLite data folder
(or the PostgreSQL database in DATABASE_URL). Usage:

    uv run python benchmarks/dashboard_bench.py [--clients 500] [--requests 30]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20, method="inclusive")[18]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, default=500)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()

    os.environ.setdefault("HOLDSPACE_DATA", tempfile.mkdtemp(prefix="holdspace-bench-"))
    from holdspace.cli.web import migrate, setup_django

    setup_django()
    migrate()
    from django.conf import settings
    from django.contrib.auth.decorators import login_required
    from django.http import HttpRequest, HttpResponse
    from django.test import Client
    from django.urls import include, path
    from django.utils import timezone

    from holdspace.web.accounts.models import User
    from holdspace.web.clients.seed import bulk_caseload

    @login_required
    def trivial(request: HttpRequest) -> HttpResponse:
        return HttpResponse("ok")

    class Urls:
        urlpatterns = [path("bench/trivial/", trivial), path("", include("holdspace.web.urls"))]

    settings.ROOT_URLCONF = Urls  # a module-like object is accepted

    user = User.objects.create_user(username=f"bench{time.time_ns()}", password="x" * 12)
    t0 = time.perf_counter()
    bulk_caseload(user, args.clients, today=timezone.localdate(), prefix=user.username)
    print(f"built {args.clients} clients in {time.perf_counter() - t0:.1f}s")
    cookie = _session_cookie(Client(), user)
    base = _serve()

    timings = {}
    for name, url in (("trivial", "/bench/trivial/"), ("dashboard", "/")):
        _get(base + url, cookie)  # warm up
        timings[name] = [_get(base + url, cookie) for _ in range(args.requests)]
    trivial_p95, dashboard_p95 = p95(timings["trivial"]), p95(timings["dashboard"])
    engine = str(settings.DATABASES["default"]["ENGINE"]).rsplit(".", 1)[-1]
    print(f"database: {engine}; requests per view: {args.requests}")
    for name, label in (("trivial", "trivial logged-in view"), ("dashboard", "dashboard")):
        median = statistics.median(timings[name]) * 1000
        print(f"{label:24} p95 {p95(timings[name]) * 1000:8.1f} ms   median {median:8.1f} ms")
    print(f"ratio dashboard / trivial: {dashboard_p95 / trivial_p95:.1f}x")


def _session_cookie(client: object, user: object) -> str:
    client.force_login(user)  # type: ignore[attr-defined]
    from django.conf import settings

    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"  # type: ignore[attr-defined]


def _serve() -> str:
    from waitress.server import create_server

    from holdspace.web.wsgi import application

    server = create_server(application, host="127.0.0.1", port=0, threads=2)
    threading.Thread(target=server.run, daemon=True).start()
    port = server.effective_port  # type: ignore[union-attr]  # one socket: a BaseWSGIServer
    return f"http://127.0.0.1:{port}"


def _get(url: str, cookie: str) -> float:
    request = urllib.request.Request(url, headers={"Cookie": cookie})
    start = time.perf_counter()
    with urllib.request.urlopen(request) as response:
        response.read()
        assert response.status == 200 and "login" not in response.url, response.url
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
