"""Words on screen are right (issue 11, item 6): every page a signed-in person can open,
rendered as the persona who may open it, and every public check-in page, is read as text
and fails on a class of wording fault, not one example.

The URL list comes from the resolver (as in test_access_matrix.py), so a page added later is
read without editing this file; its kwargs use the same factories (tests/web/personas.py).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from holdspace.instruments import all_instruments
from tests.web.personas import FACTORIES, OWNERS, World, load_app_factories

pytestmark = pytest.mark.django_db
load_app_factories()

# (what is wrong, pattern); each names a class seen on screen before.
FAULTS: list[tuple[str, re.Pattern[str]]] = [
    ("a phrase said twice in a row", re.compile(r"\b((?:[A-Za-z]+ ){2,6})\1", re.IGNORECASE)),
    ("a plural written as (s)", re.compile(r"\w\(s\)")),
    (
        "'1' with a plural noun",
        re.compile(
            r"(?<![\d.,])\b1 (?:[a-z]+ )?(?:scores|sessions|answers|items|questions"
            r"|administrations|suggestions|links|clients|episodes|measures|days|weeks|points)\b"
        ),
    ),
    (
        "an engineer's note",
        re.compile(
            r"vendor-invented|not to ship|recalled only|reference §|§\d|\[U\]|\[R\]"
            r"|verification status",
            re.IGNORECASE,
        ),
    ),
    ("a threshold past itself", re.compile(r"\b(\d+) is past the [a-z ]+ of \1\b")),
]


class _Text(HTMLParser):
    """The words a person reads: text outside script and style, and the alt/label texts."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        for name, value in attrs:
            if name in ("alt", "title", "aria-label", "placeholder") and value:
                self.parts.append(f" {value} ")
        if tag in ("p", "li", "td", "th", "div", "h1", "h2", "h3", "label", "option", "br"):
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template"):
            self._hidden -= 1
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return re.sub(r"[ \t]+", " ", "".join(parser.parts))


def faults_in(text: str, ids_on_purpose: bool = False) -> list[str]:
    found = [f"{what}: {m.group(0)!r}" for what, rx in FAULTS for m in rx.finditer(text)]
    if ids_on_purpose:
        return found
    # An instrument's id where its name belongs ("compared on PHQ9"); an id that is also the
    # short name (K10, ITQ) is a name.
    ids = re.compile(r"\b(" + "|".join(map(re.escape, _ID_ONLY)) + r")\b", re.IGNORECASE)
    found += [f"an instrument id instead of its name: {m.group(0)!r}" for m in ids.finditer(text)]
    return found


_ID_ONLY = [i.id for i in all_instruments() if i.id.upper() not in i.name.upper()]


def _names(patterns: list[URLPattern | URLResolver], namespace: str, kwargs: list[str]):  # type: ignore[no-untyped-def]
    for pattern in patterns:
        names = kwargs + list(getattr(pattern.pattern, "converters", {}))
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            full = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _names(pattern.url_patterns, full, names)
        elif pattern.name:
            yield (f"{namespace}:{pattern.name}" if namespace else pattern.name), tuple(names)


# admin and api are not pages a person reads in the product; the client's space is read as
# the client, below; check-in pages are read by the check-in tests with a real link.
SKIPPED_NAMESPACES = {"admin", "api", "checkin", "space"}
PAGES = sorted(
    (name, kwargs)
    for name, kwargs in _names(get_resolver().url_patterns, "", [])
    if name.split(":")[0] not in SKIPPED_NAMESPACES
)


def _readers(world: World, kwargs: tuple[str, ...]) -> list[object]:
    owners = {OWNERS.get(k) for k in kwargs} - {None}
    if "ada" in owners:
        return [world.ada]
    return [world.alice, world.sam, world.ada] if not kwargs else [world.alice, world.sam]


def test_the_walk_reads_the_workspace_pages() -> None:
    names = {name for name, _ in PAGES}
    assert {
        "clients:episode_detail",
        "clients:administration_add",
        "reports:client_report",
    } <= names


@pytest.mark.parametrize(("name", "kwargs"), PAGES, ids=[n for n, _ in PAGES])
def test_no_wording_fault_on_the_page(name: str, kwargs: tuple[str, ...]) -> None:
    world = World.create()
    path = reverse(name, kwargs={k: FACTORIES[k](world) for k in kwargs})
    if "session_id" not in kwargs and "checkins" not in name:
        world.administration  # noqa: B018 - a risk answer, so the safety words render too
    problems = []
    read = 0
    for user in _readers(world, kwargs):
        client = Client()
        client.force_login(user)  # type: ignore[arg-type]
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        read += 1
        # The library lists each instrument's id on purpose: it is what the CLI and the
        # definition files take.
        text = visible_text(response.content.decode())
        on_purpose = name.startswith("library:")
        problems += [f"{path} as {user}: {p}" for p in faults_in(text, on_purpose)]
    if not read:
        pytest.skip(f"{name} answers no reader here with a page (a POST, a download or a redirect)")
    assert problems == [], "\n".join(problems)


SPACE_PAGES = sorted(
    name
    for name, kwargs in _names(get_resolver().url_patterns, "", [])
    if name.startswith("space:") and not kwargs
)


def test_no_wording_fault_in_the_clients_space() -> None:
    """The client's own pages, opened from their link on their phone, after a check-in."""
    from holdspace.web.space import services

    world = World.create()
    world.administration  # noqa: B018 - a check-in with a risk answer, so progress has data
    _space, _link, token = services.share_link(world.client, world.alice, display_name="Sam")
    phone = Client()
    assert phone.get(f"/s/{token}/").status_code == 303
    assert phone.post("/s/pin/", {"pin": "2580", "pin_again": "2580"}).status_code == 303
    problems, read = [], 0
    for name in SPACE_PAGES:
        response = phone.get(reverse(name))
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        read += 1
        text = visible_text(response.content.decode())
        problems += [f"{name}: {p}" for p in faults_in(text)]
    assert read >= 6, "the space's pages did not open for the client"
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize(
    ("text", "fault"),
    [
        ("Over the Over the last 2 weeks", "a phrase said twice in a row"),
        ("1 language suggestion(s)", "a plural written as (s)"),
        ("1 scores so far", "'1' with a plural noun"),
        ("compared on PHQ9", "an instrument id instead of its name"),
        ("the low band is vendor-invented", "an engineer's note"),
        ("see reference §13a", "an engineer's note"),
        ("14 is past the review line of 14", "a threshold past itself"),
    ],
)
def test_each_fault_is_caught(text: str, fault: str) -> None:
    assert any(p.startswith(fault) for p in faults_in(text))


@pytest.mark.parametrize(
    "text", ["Over the last 2 weeks", "1 score, 2 scores", "PHQ-9", "11 sessions"]
)
def test_right_words_pass(text: str) -> None:
    assert faults_in(text) == []
