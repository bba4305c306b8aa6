"""Shared personas for the web tests, and the registry of URL-kwarg factories.

alice  clinician who owns the clients
bob    another clinician
sam    supervisor of alice (reads alice's clients, never writes)
sue    supervisor of nobody here (the supervisor role without the right)
ada    admin (no clinical content)

The access-matrix test (tests/web/test_access_matrix.py) walks every URL pattern of every
app. A URL kwarg ("client_id", "note_id", ...) needs a factory that makes an object owned
by alice (or, with owner="ada", an admin-only object) and returns the value to put in
the URL. Register yours in a module named
tests/web/factories_<app>.py (imported automatically), for example:

    from tests.web.personas import World, register

    @register("note_id")
    def make_note(world: World) -> int:
        return Note.objects.create(episode=world.episode, ...).pk

Views where a supervisor may POST (e.g. a review comment) are listed with
`allow_supervisor_post("reviews:comment")`; URLs opened by clients with a token (no
sign-in) are declared with `public_namespace("checkin")`.
"""

from __future__ import annotations

import datetime as dt
import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from django.test import Client as DjangoClient

from holdspace.web.accounts.models import Role, User

PASSWORD = "a-long-passphrase-42"

Factory = Callable[["World"], Any]
FACTORIES: dict[str, Factory] = {}
# Who holds the right to the object a kwarg names: "alice" (her clinical records, which
# sam may read), "ada" (admin-only objects such as user accounts), or None for a value
# that is not an object of its own (e.g. an instrument id beside an episode id).
OWNERS: dict[str, str | None] = {}
SUPERVISOR_POSTS: set[str] = set()
PUBLIC_NAMESPACES: set[str] = set()


def register(kwarg: str, *, owner: str | None = "alice") -> Callable[[Factory], Factory]:
    def decorate(factory: Factory) -> Factory:
        if kwarg in FACTORIES and FACTORIES[kwarg] is not factory:
            raise ValueError(f"two factories registered for URL kwarg {kwarg!r}")
        FACTORIES[kwarg] = factory
        OWNERS[kwarg] = owner
        return factory

    return decorate


def allow_supervisor_post(url_name: str) -> None:
    SUPERVISOR_POSTS.add(url_name)


def public_namespace(namespace: str) -> None:
    PUBLIC_NAMESPACES.add(namespace)


def make_user(username: str, role: str = Role.CLINICIAN) -> User:
    return User.objects.create_user(username=username, password=PASSWORD, role=role)


@dataclass
class World:
    """The personas, plus alice's objects made on demand (and made once)."""

    alice: User
    bob: User
    sam: User
    sue: User
    ada: User
    cache: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def create(cls) -> World:
        alice = make_user("alice")
        sam = make_user("sam", Role.SUPERVISOR)
        alice.supervisors.add(sam)
        return cls(
            alice=alice,
            bob=make_user("bob"),
            sam=sam,
            sue=make_user("sue", Role.SUPERVISOR),
            ada=make_user("ada", Role.ADMIN),
        )

    @cached_property
    def client(self) -> Any:
        from holdspace.web.clients import services

        return services.add_client(self.alice, "ALICE-01")

    @cached_property
    def episode(self) -> Any:
        from holdspace.web.clients import services

        return services.open_episode(self.client, self.alice, opened_on=dt.date(2026, 1, 5))

    @cached_property
    def session(self) -> Any:
        from holdspace.web.clients import services

        return services.add_session(self.episode, self.alice, date=dt.date(2026, 1, 6))

    @cached_property
    def administration(self) -> Any:
        """A PHQ-9 with a risk answer (item 9 = 1), so a safety follow-up is due."""
        from holdspace.web.clients import services

        return services.record_administration(
            self.episode,
            "phq9",
            [2, 2, 1, 1, 2, 1, 1, 1, 1],
            source="in_session",
            session=self.session,
            entered_by=self.alice,
        )


@register("client_id")
def make_client(world: World) -> int:
    return int(world.client.pk)


@register("episode_id")
def make_episode(world: World) -> int:
    return int(world.episode.pk)


@register("session_id")
def make_session(world: World) -> int:
    return int(world.session.pk)


@register("administration_id")
def make_administration(world: World) -> int:
    return int(world.administration.pk)


@register("instrument_id", owner=None)
def instrument_id(world: World) -> str:
    # Not an object of its own; the episode in the same URL is what is protected.
    return "phq9"


def load_app_factories() -> None:
    """Import tests/web/factories_*.py so each app's factories are registered."""
    here = Path(__file__).parent
    for module in pkgutil.iter_modules([str(here)]):
        if module.name.startswith("factories_"):
            importlib.import_module(f"tests.web.{module.name}")


public_namespace("checkin")


def signed_in(user: User) -> DjangoClient:
    """A test client with `user` signed in."""
    client = DjangoClient()
    client.force_login(user)
    return client
