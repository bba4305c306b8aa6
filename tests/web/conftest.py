"""Fixtures every web test module may use: the personas of tests/web/personas.py."""

from __future__ import annotations

import pytest

from tests.web.personas import World


@pytest.fixture
def world(db: None) -> World:
    """alice, bob, sam, sue and ada; a module that needs more data overrides this."""
    return World.create()
