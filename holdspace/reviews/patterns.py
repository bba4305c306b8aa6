"""Protective-pattern prompts (after the PTMF questions) and the glossary, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from holdspace.reviews.cards import (
    SOURCES_FILE,
    Source,
    cite,
    file_stamp,
    load_sources,
    read_checked_yaml,
)

PATTERNS_FILE = Path(__file__).resolve().parent / "data" / "patterns.yaml"
PATTERN_FIELDS = (
    "looks_like",
    "protects",
    "origin",
    "triggers",
    "costs_now",
    "helps_soften",
    "strengths",
)
_TEXT = {"type": "string", "minLength": 1}
_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["prompts", "glossary"],
    "properties": {
        "prompts": {
            "type": "object",
            "required": list(PATTERN_FIELDS),
            "additionalProperties": False,
            "properties": {
                f: {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["label", "prompt", "ptmf"],
                    "properties": {"label": _TEXT, "prompt": _TEXT, "ptmf": _TEXT},
                }
                for f in PATTERN_FIELDS
            },
        },
        "glossary": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": [
                    "key",
                    "name",
                    "looks_like",
                    "function",
                    "neutral",
                    "helps",
                    "sources",
                ],
                "properties": {
                    "key": {"type": "string", "pattern": "^[a-z_]+$"},
                    "name": _TEXT,
                    "looks_like": _TEXT,
                    "function": _TEXT,
                    "neutral": _TEXT,
                    "helps": _TEXT,
                    "sources": {"type": "array", "items": _TEXT, "minItems": 1},
                },
            },
        },
    },
}


@dataclass(frozen=True)
class Prompt:
    field: str
    label: str
    prompt: str
    ptmf: str


@dataclass(frozen=True)
class GlossaryEntry:
    key: str
    name: str
    looks_like: str
    function: str
    neutral: str
    helps: str
    sources: tuple[Source, ...]


def _load(path: Path) -> Any:
    return _load_cached(path, file_stamp([path, SOURCES_FILE]))


@lru_cache(maxsize=4)
def _load_cached(path: Path, stamp: tuple[tuple[str, int, int], ...]) -> Any:
    return read_checked_yaml(path, _SCHEMA)


def prompts(path: Path = PATTERNS_FILE) -> Mapping[str, Prompt]:
    raw = _load(path)["prompts"]
    return {f: Prompt(f, raw[f]["label"], raw[f]["prompt"], raw[f]["ptmf"]) for f in PATTERN_FIELDS}


def glossary(path: Path = PATTERNS_FILE) -> list[GlossaryEntry]:
    sources = load_sources()
    entries = []
    for index, raw in enumerate(_load(path)["glossary"]):
        cited = cite(raw["sources"], sources, f"{path}: field glossary.{index}.sources")
        entries.append(
            GlossaryEntry(
                key=raw["key"],
                name=raw["name"],
                looks_like=raw["looks_like"],
                function=raw["function"],
                neutral=raw["neutral"],
                helps=raw["helps"],
                sources=cited,
            )
        )
    return entries
