"""The access-helper family's one primitive, called directly (the URL-level matrix is in
test_access_matrix.py): read and write rules, and no duplicates through two supervisors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404, HttpRequest
from django.test import RequestFactory

from holdspace.web import access
from holdspace.web.accounts.models import Role, User
from holdspace.web.clients.models import Client, Episode
from tests.web.personas import World, make_user

pytestmark = pytest.mark.django_db


def _request(user: User | AnonymousUser) -> HttpRequest:
    request = RequestFactory().get("/")
    request.user = user
    return request


def test_a_clinician_with_two_supervisors_appears_once_to_each() -> None:
    world = World.create()
    client = world.episode.client
    second = make_user("sid", Role.SUPERVISOR)
    world.alice.supervisors.add(second)

    for supervisor in (world.sam, second):
        assert list(access.visible_clients(supervisor)) == [client]
        assert access.visible_episodes(supervisor).count() == 1
        found = access.get_client_for_user(_request(supervisor), client.pk)
        assert found == client


def test_read_and_write_rules_per_persona() -> None:
    world = World.create()
    episode = world.episode
    queryset = Episode.objects.all()

    def reads(user: User) -> bool:
        try:
            access.get_for_user(_request(user), queryset, episode.pk)
        except Http404:
            return False
        return True

    def writes(user: User) -> bool:
        try:
            access.get_for_user(_request(user), queryset, episode.pk, write=True)
        except Http404:
            return False
        return True

    assert [reads(p) for p in (world.alice, world.sam, world.bob, world.sue, world.ada)] == [
        True,
        True,
        False,
        False,
        False,
    ]
    assert [writes(p) for p in (world.alice, world.sam, world.bob, world.sue, world.ada)] == [
        True,
        False,
        False,
        False,
        False,
    ]


def test_a_missing_object_and_an_anonymous_request_are_both_404() -> None:
    world = World.create()
    missing = Client.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    with pytest.raises(Http404):
        access.get_client_for_user(_request(world.alice), missing + 1)

    with pytest.raises(Http404):
        access.get_client_for_user(_request(AnonymousUser()), world.client.pk)


def test_objects_in_an_episode_follow_the_episode_owner() -> None:
    world = World.create()
    session = world.session
    request = _request(world.alice)
    assert access.get_rw_session_for_user(request, session.pk) == session
    with pytest.raises(Http404):
        access.get_rw_session_for_user(_request(world.sam), session.pk)


def test_the_write_rule_is_typed_only_in_the_access_helpers() -> None:
    """Views and templates ask `access.can_write` (or `writable_by`); none retypes the rule."""
    web = Path(__file__).resolve().parents[2] / "holdspace" / "web"
    retyped = re.compile(r"clinician_id\s*[!=]=\s*(request\.)?user\.pk")
    offenders = [
        str(path.relative_to(web))
        for path in [*web.rglob("*.py"), *web.rglob("*.html")]
        if path.name != "access.py" and retyped.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == []
