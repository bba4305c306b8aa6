"""The review content library: cards as data files, validated on load.

A card is one hypothesis to check when a signal fires, with responses to try and the
sources behind it. Bundled cards live in holdspace/reviews/cards/*.yaml; a clinic can add
cards, or replace a bundled card by reusing its id, in a local folder
(HOLDSPACE_LOCAL_CARDS, read by the web settings and the CLI and passed in here: the
core reads no environment). Every card names at least one source from data/sources.yaml.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from holdspace.signals.model import KIND_ORDER

PACKAGE_DIR = Path(__file__).resolve().parent
CARDS_DIR = PACKAGE_DIR / "cards"
SOURCES_FILE = PACKAGE_DIR / "data" / "sources.yaml"
LOCAL_CARDS_ENV = "HOLDSPACE_LOCAL_CARDS"

# The environment-first order every review follows (trauma-informed.md §9, "Ordering rule").
LAYERS: tuple[str, ...] = (
    "safety",
    "relationship",
    "life_context",
    "protective_patterns",
    "formulation",
)
LAYER_TITLES: Mapping[str, str] = {
    "safety": "Safety first",
    "relationship": "The relationship and the therapy environment",
    "life_context": "Life context and support",
    "protective_patterns": "Protective patterns",
    "formulation": "Formulation and referral",
}
# Signal kinds from holdspace.signals, in the order their cards are shown within a layer.
SIGNAL_KINDS: tuple[str, ...] = KIND_ORDER
SIGNAL_TITLES: Mapping[str, str] = {
    "safety": "Safety follow-up",
    "deterioration": "Getting worse: review now",
    "not_on_track": "Review suggested",
    "alliance": "Check in about the relationship",
    "attendance": "Attendance changed",
    "measurement_gap": "No recent check-in",
}
# Facts about the client's own data that make a card stand out (see ReviewContext.facts).
FACTS: tuple[str, ...] = (
    "unacknowledged_risk",
    "alliance_drop",
    "missed_sessions",
    "life_event",
    "pattern_seen",
    "adaptation_tried",
)

_TEXT = {"type": "string", "minLength": 1}
_TEXT_LIST = {"type": "array", "items": _TEXT}
CARD_FILE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["signal", "cards"],
    "properties": {
        "signal": {"enum": list(SIGNAL_KINDS)},
        "cards": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["id", "layer", "title", "hypothesis", "responses", "sources"],
                "properties": {
                    "id": {"type": "string", "pattern": r"^[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*$"},
                    "layer": {"enum": list(LAYERS)},
                    "title": _TEXT,
                    "hypothesis": _TEXT,
                    "look_at": _TEXT_LIST,
                    "responses": {**_TEXT_LIST, "minItems": 1},
                    "sources": {**_TEXT_LIST, "minItems": 1},
                    "highlight_when": {"type": "array", "items": {"enum": list(FACTS)}},
                },
            },
        },
    },
}
SOURCES_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": {
        "type": "object",
        "additionalProperties": False,
        "required": ["cite", "ref", "status"],
        "properties": {"cite": _TEXT, "ref": _TEXT, "status": {"enum": ["verified", "recall"]}},
    },
}


class CardError(ValueError):
    """A card file is not valid; the message names the file and the field."""


@dataclass(frozen=True)
class Source:
    key: str
    cite: str
    ref: str
    # False for sources marked [recall] in the reference: shown as unverified.
    verified: bool


@dataclass(frozen=True)
class Card:
    id: str
    signal: str
    layer: str
    title: str
    hypothesis: str
    look_at: tuple[str, ...]
    responses: tuple[str, ...]
    sources: tuple[Source, ...]
    highlight_when: tuple[str, ...]
    origin: str  # "bundled" or the local file's name

    @property
    def layer_rank(self) -> int:
        return LAYERS.index(self.layer)


# The C loader when libyaml is there: several times faster on the card files.
_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _read_yaml(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506
    except yaml.YAMLError as exc:
        raise CardError(f"{path}: not valid YAML: {exc}") from exc


def read_checked_yaml(path: Path, schema: Mapping[str, Any]) -> Any:
    """A review data file (cards, sources, patterns), parsed and checked against its schema.

    Bad input raises CardError naming the file and the first field at fault, so every
    review data file reports its errors the same way.
    """
    import jsonschema  # here, not at import: the CLI starts without it (docs/benchmarks.md)

    data = _read_yaml(path)
    validator = jsonschema.Draft202012Validator(schema)
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        field = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        raise CardError(f"{path}: field {field}: {err.message}")
    return data


def cite(keys: list[str], sources: Mapping[str, Source], where: str) -> tuple[Source, ...]:
    """The sources these keys name; CardError at `where` (file and field) for an unknown key."""
    unknown = [key for key in keys if key not in sources]
    if unknown:
        raise CardError(
            f"{where}: unknown source {unknown[0]!r}; allowed: the keys of {SOURCES_FILE.name}"
        )
    return tuple(sources[key] for key in keys)


def load_sources(path: Path = SOURCES_FILE) -> dict[str, Source]:
    return dict(_load_sources(path, file_stamp([path])))


@lru_cache(maxsize=4)
def _load_sources(path: Path, stamp: tuple[tuple[str, int, int], ...]) -> dict[str, Source]:
    data = read_checked_yaml(path, SOURCES_SCHEMA)
    return {
        key: Source(key, entry["cite"], entry["ref"], entry["status"] == "verified")
        for key, entry in data.items()
    }


def _cards_from_file(path: Path, sources: Mapping[str, Source], origin: str) -> list[Card]:
    data = read_checked_yaml(path, CARD_FILE_SCHEMA)
    cards: list[Card] = []
    for index, raw in enumerate(data["cards"]):
        if cards and LAYERS.index(raw["layer"]) < cards[-1].layer_rank:
            raise CardError(
                f"{path}: field cards.{index}.layer: {raw['layer']!r} comes after "
                f"{cards[-1].layer!r}; cards follow the order {', '.join(LAYERS)}"
            )
        cited = cite(raw["sources"], sources, f"{path}: field cards.{index}.sources")
        cards.append(
            Card(
                id=raw["id"],
                signal=data["signal"],
                layer=raw["layer"],
                title=raw["title"],
                hypothesis=raw["hypothesis"],
                look_at=tuple(raw.get("look_at", ())),
                responses=tuple(raw["responses"]),
                sources=cited,
                highlight_when=tuple(raw.get("highlight_when", ())),
                origin=origin,
            )
        )
    return cards


def _files(folder: Path) -> list[Path]:
    return sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])


def local_cards_dir(local_dir: str | Path | None = None) -> Path | None:
    """The clinic's card folder (HOLDSPACE_LOCAL_CARDS, passed in); None or "" for none."""
    if not local_dir:
        return None
    folder = Path(local_dir)
    if not folder.is_dir():
        raise CardError(f"{LOCAL_CARDS_ENV}: {folder} is not a folder")
    return folder


def file_stamp(paths: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """What the cache is keyed on: an edited or added file changes it."""
    return tuple((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in paths)


def load_cards(local_dir: str | Path | None = None) -> list[Card]:
    """Bundled cards plus the local folder's; a local card with a bundled id replaces it.

    Parsed files are cached until a file changes, so a page can call this freely.
    """
    folder = local_cards_dir(local_dir)
    bundled = _files(CARDS_DIR)
    local = _files(folder) if folder is not None else []
    stamp = file_stamp([SOURCES_FILE, *bundled, *local])
    return list(_load_cards(tuple(bundled), tuple(local), stamp))


@lru_cache(maxsize=16)
def _load_cards(
    bundled: tuple[Path, ...], local: tuple[Path, ...], stamp: tuple[tuple[str, int, int], ...]
) -> tuple[Card, ...]:
    sources = load_sources()
    by_id: dict[str, Card] = {}
    for path in bundled:
        for card in _cards_from_file(path, sources, "bundled"):
            if card.id in by_id:
                raise CardError(f"{path}: field id: {card.id!r} is used twice")
            by_id[card.id] = card
    seen: set[str] = set()
    for path in local:
        for card in _cards_from_file(path, sources, path.name):
            if card.id in seen:
                raise CardError(f"{path}: field id: {card.id!r} is used twice")
            seen.add(card.id)
            by_id[card.id] = card
    return tuple(sorted(by_id.values(), key=lambda c: (SIGNAL_KINDS.index(c.signal), c.layer_rank)))
