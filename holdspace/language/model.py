"""Plain data for the linter: rules, findings and configuration (frozen dataclasses)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["warn", "info"]
LEVELS: tuple[str, ...] = ("warn", "info")


class LintError(Exception):
    """Base class for linter errors (bad rules file, bad config)."""


class ConfigError(LintError):
    """A configuration value is not allowed; the message names the field."""


@dataclass(frozen=True)
class Formal:
    """A formal diagnostic, research or code name that contains a rule's words (R5)."""

    pattern: re.Pattern[str]
    level: Literal["info", "off"]
    message: str


@dataclass(frozen=True)
class Replace:
    """A one-click replacement: its text for each inflection of the matched words, and
    where it fits grammatically (see holdspace.language.suggest)."""

    forms: tuple[tuple[str, str], ...]  # (form, text); form: base s past ing ly noun adj any
    after: str = "any"  # any | copula | article: the word before the match
    next: str = "any"  # any | end | to | object | clause | noun: what follows the match
    delete: bool = False  # remove the matched words instead (an adverb of doubt)

    def text_for(self, form: str) -> str | None:
        for key, text in self.forms:
            if key in (form, "any"):
                return text
        return None


@dataclass(frozen=True)
class Rule:
    id: str
    category: str
    level: Level
    ctx: frozenset[str]
    patterns: tuple[str, ...]
    why: str
    alternatives: tuple[str, ...]
    source: tuple[str, ...]
    lexicon: tuple[int, ...]
    kind: Literal["words", "quotes"] = "words"
    skip_before: re.Pattern[str] | None = None
    skip_after: re.Pattern[str] | None = None
    formal: tuple[Formal, ...] = ()
    replace: tuple[Replace, ...] = ()
    head: Literal["first", "last"] = "last"  # the word whose inflection the match carries


@dataclass(frozen=True)
class Replacement:
    """Apply by writing `text` over text[start:end] (the span may take in an article)."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Finding:
    """One flagged span. Offsets are 0-based into the text; lines and columns are 1-based,
    and the end is exclusive."""

    rule: str
    category: str
    level: Level
    start: int
    end: int
    line: int
    column: int
    end_line: int
    end_column: int
    text: str
    message: str
    suggestions: tuple[str, ...]
    why: str
    source: tuple[str, ...]
    replacements: tuple[Replacement, ...] = ()
    hints: tuple[str, ...] = ()

    def to_dict(self, path: str | None = None) -> dict[str, Any]:
        data: dict[str, Any] = {"path": path} if path is not None else {}
        data.update(
            line=self.line,
            column=self.column,
            end_line=self.end_line,
            end_column=self.end_column,
            rule=self.rule,
            category=self.category,
            level=self.level,
            text=self.text,
            message=self.message,
            suggestions=list(self.suggestions),
            replacements=[
                {"start": r.start, "end": r.end, "text": r.text} for r in self.replacements
            ],
            hints=list(self.hints),
            why=self.why,
            source=list(self.source),
            start=self.start,
            end=self.end,
        )
        return data


@dataclass(frozen=True)
class LintConfig:
    """Which rules are off and which levels are overridden (rule id -> level)."""

    disabled: frozenset[str] = frozenset()
    levels: tuple[tuple[str, Level], ...] = field(default=())

    def level_for(self, rule: Rule) -> Level | None:
        """The effective level of a rule, or None when it is switched off."""
        if rule.id in self.disabled or rule.category in self.disabled:
            return None
        for rule_id, level in self.levels:
            if rule_id == rule.id:
                return level
        return rule.level
