"""The servers `holdspace serve` runs: waitress for one process, gunicorn for several.

Both are told the same trusted proxies as Django (HOLDSPACE_TRUSTED_PROXIES): gunicorn
takes the scheme from `X-Forwarded-Proto` only from those addresses, and waitress passes
forwarding headers through untouched for `holdspace.web.netaddr.TrustedProxyMiddleware`
to judge. No access log: request paths carry check-in and space tokens.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import connections

THREADS = 8  # per process: the same as waitress's default for one process


def bind_address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def run(host: str, port: int, workers: int) -> None:
    # Connections opened by migrate must not be inherited by forked workers.
    connections.close_all()
    if workers <= 1:
        _waitress(host, port)
    else:
        _gunicorn(host, port, workers)


def _waitress(host: str, port: int) -> None:
    from waitress import serve

    from holdspace.web.wsgi import application

    # Waitress would strip X-Forwarded-* itself (its trusted_proxy takes one address,
    # not networks); the middleware applies the one rule instead.
    serve(
        application,
        host=host,
        port=port,
        threads=THREADS,
        clear_untrusted_proxy_headers=False,
        _quiet=True,
    )


def gunicorn_options(host: str, port: int, workers: int) -> dict[str, Any]:
    return {
        "bind": [bind_address(host, port)],
        "workers": workers,
        "worker_class": "gthread",
        "threads": THREADS,
        "timeout": 60,
        "graceful_timeout": 20,
        "forwarded_allow_ips": ",".join(settings.HOLDSPACE_TRUSTED_PROXIES),
        "secure_scheme_headers": {"X-FORWARDED-PROTO": "https"},
        "accesslog": None,
        "errorlog": "-",
        "loglevel": "warning",
        # Several servers on one machine must not fight over one control socket.
        "control_socket_disable": True,
    }


def _gunicorn(host: str, port: int, workers: int) -> None:
    from gunicorn.app.base import BaseApplication

    class Holdspace(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            for key, value in gunicorn_options(host, port, workers).items():
                self.cfg.set(key, value)

        def load(self) -> Any:
            from holdspace.web.wsgi import application

            return application

    Holdspace().run()
