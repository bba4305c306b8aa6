"""Shared set-up for the check-in tests (web and browser); holds no tests itself."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from holdspace.web.accounts.models import Role, User
from holdspace.web.checkins.models import CheckinLink, LinkKind
from holdspace.web.checkins.services import create_link
from holdspace.web.clients.models import Client, Episode, PlanItem, Session

PASSWORD = "a-long-passphrase-42"


@dataclass
class World:
    clinician: User
    client: Client
    episode: Episode
    session: Session


def make_world(
    plan: tuple[tuple[str, bool], ...] = (("phq9", False), ("gad7", False), ("waisr", True)),
    *,
    username: str = "robin",
    code: str = "ZX-991",
    display_name: str = "Samira Okafor",
    session_number: int = 1,
) -> World:
    clinician = User.objects.create_user(username=username, password=PASSWORD, role=Role.CLINICIAN)
    client = Client.objects.create(code=code, display_name=display_name, clinician=clinician)
    episode = Episode.objects.create(
        client=client, clinician=clinician, opened_on=dt.date(2026, 11, 1)
    )
    for instrument_id, after in plan:
        PlanItem.objects.create(episode=episode, instrument_id=instrument_id, after_session=after)
    session = Session.objects.create(
        episode=episode, number=session_number, date=dt.date(2026, 11, 20)
    )
    return World(clinician, client, episode, session)


def make_link(
    world: World, *, kind: str = LinkKind.BEFORE, display_name: str = "Sam"
) -> tuple[CheckinLink, str]:
    return create_link(
        world.episode, world.session, world.clinician, kind=kind, display_name=display_name
    )


def answers_form(instrument_id: str, values: list[int | str], nonce: str = "n1") -> dict[str, str]:
    """A posted measure page: values in item order ("skip" for not today, "" for blank)."""
    from holdspace.instruments import get_instrument

    instrument = get_instrument(instrument_id)
    form = {"step": "measure", "instrument": instrument_id, "nonce": nonce}
    # Unscored items at the end (PHQ-9 item 10) may be left off: posted blank.
    padded = ["" if v is None else v for v in instrument.padded(values)]
    for item, value in zip(instrument.items, padded, strict=True):
        form[f"item-{item.id}"] = str(value)
    return form
