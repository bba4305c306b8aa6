"""Every URL that names an object, for every persona without the right: 404, never the data.

The URL list comes from the resolver across all apps, so a URL added later by anyone is
covered without editing this file; its kwargs need a factory (see tests/web/personas.py).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from holdspace.web.audit.models import AuditEvent
from tests.web.personas import (
    FACTORIES,
    OWNERS,
    PUBLIC_NAMESPACES,
    SUPERVISOR_POSTS,
    World,
    load_app_factories,
)

pytestmark = pytest.mark.django_db
load_app_factories()


@dataclass(frozen=True)
class ObjectUrl:
    name: str  # "namespace:name"
    kwargs: tuple[str, ...]
    # The methods the view accepts, where a require_http_methods decorator says so.
    methods: frozenset[str] | None = None

    @property
    def namespace(self) -> str:
        return self.name.split(":")[0] if ":" in self.name else ""

    @property
    def answers_get(self) -> bool:
        return self.methods is None or "GET" in self.methods


def _methods(view: Callable[..., object]) -> frozenset[str] | None:
    """What Django's require_http_methods (and require_POST) let through, else None."""
    while view is not None:
        closure = inspect.getclosurevars(view).nonlocals
        if "request_method_list" in closure:
            return frozenset(closure["request_method_list"])
        view = getattr(view, "__wrapped__", None)  # type: ignore[assignment]
    return None


def _kwarg_names(pattern: URLPattern | URLResolver) -> list[str]:
    converters = getattr(pattern.pattern, "converters", None)
    if converters is not None:
        return list(converters)
    return list(pattern.pattern.regex.groupindex)


def _walk(
    patterns: list[URLPattern | URLResolver], namespace: str, inherited: list[str]
) -> list[ObjectUrl]:
    found = []
    for pattern in patterns:
        names = inherited + _kwarg_names(pattern)
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            found += _walk(pattern.url_patterns, full, names)
        elif names:
            assert pattern.name, f"URL {pattern.pattern} names an object but has no name"
            full = f"{namespace}:{pattern.name}" if namespace else pattern.name
            found.append(ObjectUrl(full, tuple(names), _methods(pattern.callback)))
    return found


OBJECT_URLS = _walk(get_resolver().url_patterns, "", [])


def test_the_walk_finds_the_workspace_urls() -> None:
    names = {u.name for u in OBJECT_URLS}
    assert {"clients:client_detail", "clients:episode_detail", "clients:session_add"} <= names


def _url(world: World, url: ObjectUrl) -> str:
    missing = [k for k in url.kwargs if k not in FACTORIES]
    if missing:
        pytest.fail(
            f"URL {url.name!r} takes {missing} but no factory is registered for it: add one "
            "in tests/web/factories_<app>.py with @register(...) (see tests/web/personas.py)"
        )
    return reverse(url.name, kwargs={k: FACTORIES[k](world) for k in url.kwargs})


def _as(user: object | None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)  # type: ignore[arg-type]
    return client


def _status(client: Client, method: str, path: str) -> int:
    response = client.get(path) if method == "GET" else client.post(path, {})
    return int(response.status_code)


def _owner(world: World, url: ObjectUrl) -> str:
    owners = {OWNERS[k] for k in url.kwargs} - {None}
    assert len(owners) <= 1, f"{url.name}: kwargs owned by different personas {owners}"
    return owners.pop() if owners else "alice"


@pytest.mark.parametrize("url", OBJECT_URLS, ids=lambda u: u.name)
def test_no_one_without_the_right_sees_the_object(url: ObjectUrl) -> None:
    world = World.create()
    path = _url(world, url)
    if url.namespace in PUBLIC_NAMESPACES:
        _check_public(url, world)
        return
    if all(OWNERS[k] is None for k in url.kwargs):
        _check_ownerless(world, path)
        return
    owner_name = _owner(world, url)
    owner = {m: _status(_as(getattr(world, owner_name)), m, path) for m in ("GET", "POST")}
    assert owner["GET"] != 404 or owner["POST"] != 404, f"{owner_name} cannot open {path}"
    assert all(code < 500 for code in owner.values()), owner

    # sam may read alice's records, so he is checked separately below.
    others = [p for p in ("alice", "bob", "sue", "ada", "sam") if p != owner_name]
    if owner_name == "alice":
        others.remove("sam")
    for name in others:
        for method in ("GET", "POST"):
            code = _status(_as(getattr(world, name)), method, path)
            # 405 is fine only where the owner gets it too: it reveals nothing.
            allowed = {404, 405} if owner[method] == 405 else {404}
            assert code in allowed, f"{name} {method} {path} -> {code}"

    for method in ("GET", "POST"):
        response = _as(None).get(path) if method == "GET" else _as(None).post(path, {})
        assert response.status_code in (302, 404, 405), f"anonymous {method} {path}"
        if response.status_code == 302:
            assert "/account/login/" in response["Location"]

    if owner_name == "alice":
        # The supervisor reads alice's clients but never writes to them.
        assert _status(_as(world.sam), "GET", path) < 500
        if url.name not in SUPERVISOR_POSTS:
            sam = _as(world.sam)  # signing in writes a session row: do it before counting
            before = _footprint()
            code = _status(sam, "POST", path)
            # A read view that ignores POST is harmless; a change of any kind is not.
            assert code in (404, 405) or _footprint() == before, (
                f"sam POST {path} -> {code} changed data: a supervisor must not write. "
                "List views where a supervisor may write with allow_supervisor_post() in "
                "tests/web/factories_<app>.py"
            )


def _footprint() -> tuple[dict[str, int], list[str]]:
    """Row counts of every table, and the actions in the audit log (every write is audited)."""
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    actions = list(AuditEvent.objects.exclude(action="read").values_list("action", "target"))
    return counts, [f"{a} {t}" for a, t in actions]


def _check_ownerless(world: World, path: str) -> None:
    """A URL naming no one's object (e.g. an instrument page): signed-in only, no 500."""
    for persona in (world.alice, world.bob, world.sam, world.ada):
        assert _status(_as(persona), "GET", path) < 500, path
    assert _status(_as(None), "GET", path) in (302, 404, 405), f"anonymous GET {path}"


def _check_public(url: ObjectUrl, world: World) -> None:
    """A token URL: a made-up token gets 404 for everyone."""
    kwargs = {k: FACTORIES[k](world) for k in url.kwargs}
    wrong = {k: (v + 10_000 if isinstance(v, int) else f"{v}x") for k, v in kwargs.items()}
    path = reverse(url.name, kwargs=wrong)
    for persona in (None, world.bob, world.alice):
        assert _status(_as(persona), "GET", path) == 404, f"{path} with a wrong token"
