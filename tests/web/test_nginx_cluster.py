"""Holdspace behind Debian's nginx with TLS, as 3 processes on one database (and once with
Redis as the shared cache): the deployment docs/deploy.md describes, started for real.

nginx runs as a child with its own prefix and a certificate made by the test; everything is
on loopback (benchmarks/proxy_cluster.py). The processes share PostgreSQL whenever it is
reachable (its own database, holdspace_proxy_suite), also when the rest of the suite runs on
SQLite, because several processes on one database is what this suite is about; without
PostgreSQL they share one SQLite file in WAL mode. Skipped only where nginx is not installed
(.ci/run installs nginx-light and redis-server).
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from collections.abc import Iterator

import pytest

from benchmarks import proxy_cluster as pc

pytestmark = pytest.mark.slow

PASSWORD = "a-long-passphrase-for-the-proxy-42"


def database_url() -> str | None:
    configured = os.getenv("DATABASE_URL", "")
    base = (
        configured.rsplit("/", 1)[0]
        if configured.startswith("postgres")
        else "postgres://postgres@127.0.0.1:5432"
    )
    # Parallel workers each start their own cluster: one database each.
    url = f"{base}/holdspace_proxy_suite_{os.getenv('PYTEST_XDIST_WORKER', 'main')}"
    return url if pc.postgres_reachable(url) else None


@pytest.fixture(scope="module", params=["database cache", "redis"])
def cluster(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[pc.Cluster]:
    if pc.nginx_binary() is None:
        pytest.skip("nginx is not installed (CI installs nginx-light)")
    redis = request.param == "redis"
    if redis and shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed (CI installs it)")
    root = tmp_path_factory.mktemp("proxy")
    with pc.cluster(root, database_url=database_url(), redis=redis) as built:
        yield built


def _login_page(cluster: pc.Cluster) -> tuple[pc.Response, str, str]:
    page = pc.fetch(cluster.connection(), "GET", "/account/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.body)
    assert page.status == 200 and token is not None, page.status
    return page, pc.cookies_of(page)["csrftoken"], token.group(1)


def sign_in(
    cluster: pc.Cluster, username: str, password: str, *, forwarded_for: str = ""
) -> pc.Response:
    _page, cookie, token = _login_page(cluster)
    headers = {
        "Cookie": f"csrftoken={cookie}",
        "Referer": f"{cluster.origin}/account/login/",
        "Origin": cluster.origin,
    }
    if forwarded_for:
        headers["X-Forwarded-For"] = forwarded_for
    return pc.fetch(
        cluster.connection(),
        "POST",
        "/account/login/",
        form={"username": username, "password": password, "csrfmiddlewaretoken": token},
        headers=headers,
    )


def upstream(response: pc.Response) -> str:
    return response.headers.get("X-Upstream", "")


def test_https_works_with_hsts_and_secure_cookies_and_no_redirect_loop(cluster) -> None:
    pc.run_child(cluster, "user", "https-user", PASSWORD)

    page, _cookie, _token = _login_page(cluster)
    signed_in = sign_in(cluster, "https-user", PASSWORD)
    home = pc.fetch(
        cluster.connection(),
        "GET",
        signed_in.headers["Location"],
        headers={"Cookie": f"sessionid={pc.cookies_of(signed_in)['sessionid']}"},
    )

    # The page came back over https, not as a redirect to itself.
    assert page.headers["Strict-Transport-Security"].startswith("max-age=31536000")
    assert all("; Secure" in c or "; secure" in c for c in page.set_cookies + signed_in.set_cookies)
    assert signed_in.status == 302 and not signed_in.headers["Location"].startswith("http:")
    assert home.status == 200 and "Sign out" in home.body  # signed in, on the caseload
    # Plain http straight to a process is sent to https: the redirect is on, and only the
    # proxy's word that a request came over https stops it.
    direct = pc.fetch(pc.http_connection(cluster.processes[0].port), "GET", "/account/login/")
    assert direct.status == 301 and direct.headers["Location"].startswith("https://")


def test_ten_failed_sign_ins_across_the_processes_lock_the_account_for_the_client(
    cluster,
) -> None:
    username = f"lock-{secrets.token_hex(3)}"
    pc.run_child(cluster, "user", username, PASSWORD)
    spoof = "203.0.113.50"  # written by the client; nginx appends the address it saw

    answers = [
        sign_in(cluster, username, "wrong password", forwarded_for=spoof)
        for _ in range(pc.LOGIN_FAILURE_LIMIT)
    ]
    after = sign_in(cluster, username, PASSWORD)
    recorded = pc.run_child(cluster, "signins", username)

    assert {upstream(a) for a in answers} == {f"127.0.0.1:{p.port}" for p in cluster.processes}
    assert all(a.status == 200 for a in answers[:-1])  # the form again, not yet locked
    assert answers[-1].status == 429 and after.status == 429
    assert "sessionid" not in pc.cookies_of(after)
    # Seen from the client's address, not the proxy's and not the one it made up.
    assert (
        recorded["failed_from"][-pc.LOGIN_FAILURE_LIMIT :]
        == [pc.CLIENT_ADDRESS] * pc.LOGIN_FAILURE_LIMIT
    )
    [lockout] = recorded["lockouts"]  # one row, for this client, shared by every process
    # The ten, and the right password refused while locked (axes counts that one too).
    assert lockout == {"ip": pc.CLIENT_ADDRESS, "failures": pc.LOGIN_FAILURE_LIMIT + 1}


def test_a_spoofed_header_from_an_untrusted_peer_is_ignored(cluster) -> None:
    # Straight to a process from 127.0.0.3, claiming https and another client address.
    spoofed = pc.fetch(
        pc.http_connection(cluster.processes[1].port, source=pc.SPOOFER_ADDRESS),
        "GET",
        "/c/help/",
        headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "198.51.100.9"},
    )
    # The same request from the trusted proxy's address is believed.
    trusted = pc.fetch(
        pc.http_connection(cluster.processes[1].port),
        "GET",
        "/c/help/",
        headers={"X-Forwarded-Proto": "https"},
    )

    assert spoofed.status == 301 and spoofed.headers["Location"].startswith("https://")
    assert trusted.status == 200


def test_the_check_in_rate_limit_holds_across_processes(cluster) -> None:
    def unknown_link() -> pc.Response:
        return pc.fetch(cluster.connection(), "GET", f"/c/{secrets.token_urlsafe(32)}/")

    tries = [unknown_link() for _ in range(pc.CHECKIN_IP_FAILURES)]
    refused = unknown_link()
    other_client = pc.fetch(
        cluster.connection(source=pc.SPOOFER_ADDRESS), "GET", f"/c/{secrets.token_urlsafe(32)}/"
    )

    assert {upstream(t) for t in tries} == {f"127.0.0.1:{p.port}" for p in cluster.processes}
    assert [t.status for t in tries] == [404] * pc.CHECKIN_IP_FAILURES
    assert refused.status == 429
    assert other_client.status == 404  # counted per client address, not per proxy
