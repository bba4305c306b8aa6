"""The documentation linter: flags labelling language and offers person-centred wording.

Framework-free core (no Django). Rules are data (rules.yaml); the context rules (negation,
quotation, the client's own words) are described in docs/language.md with their sources.
"""

from holdspace.language.config import load_config, parse_config
from holdspace.language.engine import apply_suggestion, lint
from holdspace.language.model import ConfigError, Finding, LintConfig, LintError, Rule
from holdspace.language.rules import RuleSet, default_rules

__all__ = [
    "ConfigError",
    "Finding",
    "LintConfig",
    "LintError",
    "Rule",
    "RuleSet",
    "apply_suggestion",
    "default_rules",
    "lint",
    "load_config",
    "parse_config",
]
