"""The linter's config file (YAML), e.g. `.holdspace-lint.yaml`:

disable: [declined, pleasant]     # rule ids or category ids switched off
levels: {relapse: "off", refused: info}
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

import yaml

from holdspace.language.model import ConfigError, Level, LintConfig
from holdspace.language.rules import RuleSet, default_rules

CONFIG_NAMES = (".holdspace-lint.yaml", ".holdspace-lint.yml", "holdspace-lint.yaml")
_KEYS = ("disable", "levels")


def parse_config(data: Any, rules: RuleSet | None = None) -> LintConfig:
    """Validate a parsed config mapping; errors name the field and what is allowed."""
    rules = rules or default_rules()
    if data is None:
        return LintConfig()
    if not isinstance(data, dict):
        raise ConfigError("config: expected a mapping with keys 'disable' and/or 'levels'")
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise ConfigError(f"config: unknown key {unknown[0]!r}; allowed: {', '.join(_KEYS)}")
    known = rules.ids | {cat for cat, _ in rules.categories}
    disable = data.get("disable") or []
    if not isinstance(disable, list):
        raise ConfigError("config.disable: expected a list of rule or category ids")
    for item in disable:
        if item not in known:
            raise ConfigError(f"config.disable: unknown rule or category {item!r}")
    levels: list[tuple[str, Level]] = []
    off = set(disable)
    raw_levels = data.get("levels") or {}
    if not isinstance(raw_levels, dict):
        raise ConfigError("config.levels: expected a mapping of rule id to warn, info or off")
    for rule_id, level in raw_levels.items():
        if rule_id not in rules.ids:
            raise ConfigError(f"config.levels: unknown rule {rule_id!r}")
        if level in ("off", False):  # YAML reads a bare off as False
            off.add(rule_id)
        elif level in ("warn", "info"):
            levels.append((rule_id, cast(Level, level)))
        else:
            raise ConfigError(f"config.levels.{rule_id}: {level!r} is not one of warn, info, off")
    return LintConfig(disabled=frozenset(off), levels=tuple(levels))


def load_config(path: Path | None = None, start: Path | None = None) -> LintConfig:
    """Read an explicit config file, or the first of CONFIG_NAMES in `start` (default cwd)."""
    if path is None:
        folder = start or Path.cwd()
        path = next((folder / n for n in CONFIG_NAMES if (folder / n).is_file()), None)
        if path is None:
            return LintConfig()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"config: cannot read {path}: {exc.strerror}") from exc
    except yaml.YAMLError as exc:
        raise ConfigError(f"config: {path} is not valid YAML: {exc}") from exc
    return parse_config(data)
