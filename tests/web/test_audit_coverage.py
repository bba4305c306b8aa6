"""Every page that shows an object of client data leaves a trace in the audit log.

DESIGN (issue 4) asks for "every read and write of client data — who, what, when, from
where". This guard rail walks the same URL list as the access matrix
(tests/web/test_access_matrix.py), so a page added later by anyone is covered without
editing this file: a GET by the owning clinician that answers 200 must append at least
one audit event by that clinician, from the request's address, naming one of the objects
in the URL ("episode:3" for a URL with episode_id=3).
"""

from __future__ import annotations

import pytest
from django.test import Client

from holdspace.web.audit.models import AuditEvent
from tests.web.personas import FACTORIES, OWNERS, PUBLIC_NAMESPACES, World, load_app_factories
from tests.web.test_access_matrix import OBJECT_URLS, ObjectUrl, _url

pytestmark = pytest.mark.django_db
load_app_factories()

# Kwargs whose object is named in the log by another word than the kwarg's stem.
TARGET_KIND = {"pattern_id": "pattern", "link_id": "checkin_link"}


def _clinical(url: ObjectUrl) -> bool:
    """A URL that names an object of alice's client data (not a token or admin page)."""
    if url.namespace in PUBLIC_NAMESPACES:
        return False
    return any(OWNERS.get(k) == "alice" for k in url.kwargs)


CLINICAL_URLS = [u for u in OBJECT_URLS if _clinical(u)]


def _targets(url: ObjectUrl, world: World) -> set[str]:
    """The audit targets that name an object in this URL, e.g. {"episode:3", "goal:7"}."""
    names = set()
    for kwarg in url.kwargs:
        if OWNERS.get(kwarg) != "alice":
            continue
        kind = TARGET_KIND.get(kwarg, kwarg.removesuffix("_id"))
        names.add(f"{kind}:{FACTORIES[kwarg](world)}")
    return names


def test_the_walk_finds_clinical_pages() -> None:
    names = {u.name for u in CLINICAL_URLS}
    assert {"clients:client_detail", "reports:client_report", "notes:list"} <= names


@pytest.mark.parametrize("url", CLINICAL_URLS, ids=lambda u: u.name)
def test_a_page_of_client_data_is_audited(url: ObjectUrl) -> None:
    world = World.create()
    path = _url(world, url)  # makes the objects before the count starts
    browser = Client()
    browser.force_login(world.alice)  # signing in is audited too: before the count
    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0

    response = browser.get(path)
    if response.status_code != 200:
        pytest.skip(f"GET {path} -> {response.status_code}: not a page (POST-only or redirect)")

    events = list(AuditEvent.objects.filter(seq__gt=last))
    wanted = _targets(url, world)
    # "episode:3:notes" names episode 3 too (a part of it).
    named = [e for e in events if e.target in wanted or e.target.rsplit(":", 1)[0] in wanted]
    assert named, (
        f"GET {path} showed client data but the audit log has no event naming {sorted(wanted)} "
        f"(got {[f'{e.action} {e.target}' for e in events]}): call "
        "holdspace.web.audit.log.record(user, 'read', '<kind>:<id>', request=request)"
    )
    for event in named:
        assert event.actor_id == world.alice.pk, f"{event.target}: the event names no reader"
        assert event.ip_address, f"{event.target}: the event does not say where from"
