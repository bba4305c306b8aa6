"""The OpenAPI description matches the URL conf: every route, and every method on it."""

from __future__ import annotations

import re

import pytest
from django.test import Client as HttpClient
from django.urls import URLPattern, get_resolver
from openapi_spec_validator import validate

from holdspace.web.api.openapi import openapi_document
from tests.web.personas import World

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")


def api_routes() -> dict[str, str]:
    """OpenAPI path -> Django route for every URL under /api/."""
    resolver = get_resolver()
    (api,) = [p for p in resolver.url_patterns if str(p.pattern) == "api/"]
    routes = {}
    for pattern in api.url_patterns:  # type: ignore[attr-defined]
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        path = "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)
        routes[path] = route
    return routes


def test_the_document_is_valid_openapi() -> None:
    validate(openapi_document())


def test_every_route_is_described_and_nothing_else() -> None:
    assert set(openapi_document()["paths"]) == set(api_routes())


@pytest.mark.parametrize("path", sorted(api_routes()))
def test_the_described_methods_are_the_ones_served(path) -> None:
    world = World.create()
    web = HttpClient()
    web.force_login(world.alice)
    url = "/api" + re.sub(r"\{\w+\}", "999999", path)
    described = set(openapi_document()["paths"][path]) & set(METHODS)

    for method in METHODS:
        status = getattr(web, method)(url).status_code
        if method in described:
            assert status != 405, f"{method.upper()} {path} is described but not served"
        else:
            assert status == 405, f"{method.upper()} {path} is served ({status}) but not described"


def test_the_document_is_served() -> None:
    response = HttpClient().get("/api/openapi.json")

    assert response.status_code == 200 and response.json()["openapi"].startswith("3.")
