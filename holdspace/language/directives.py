"""Inline ignore comments (reference §2 R9), in whatever comment syntax the file uses.

holdspace-lint: ignore refused          -> this line and the next, for these rules
holdspace-lint: disable refused claims  -> from this line on
holdspace-lint: enable refused          -> from the next line on
holdspace-lint: disable                 -> every rule (same for ignore / enable)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

ALL = "*"
MARKER = "holdspace-lint"
_DIRECTIVE = re.compile(
    r"holdspace-lint\s*:?\s*(disable|enable|ignore)\b([A-Za-z0-9_,\s=-]*?)\s*(?:-->|#\}|\*/|%\}|$)",
    re.IGNORECASE | re.MULTILINE,
)


def _ids(raw: str) -> frozenset[str]:
    ids = frozenset(part for part in re.split(r"[\s,=]+", raw.strip()) if part)
    return ids or frozenset({ALL})


def suppressed_by_line(text: str) -> Mapping[int, frozenset[str]]:
    """Map 1-based line number -> rule ids switched off on that line (ALL = every rule)."""
    if MARKER not in text:
        return {}
    result: dict[int, frozenset[str]] = {}
    disabled: frozenset[str] = frozenset()
    extra: dict[int, frozenset[str]] = {}
    for number, line in enumerate(text.split("\n"), start=1):
        enable_after: frozenset[str] = frozenset()
        for m in _DIRECTIVE.finditer(line):
            verb, ids = m.group(1).lower(), _ids(m.group(2))
            if verb == "disable":
                disabled |= ids
            elif verb == "enable":
                enable_after |= ids
            else:
                for target in (number, number + 1):
                    extra[target] = extra.get(target, frozenset()) | ids
        here = disabled | extra.get(number, frozenset())
        if here:
            result[number] = here
        if enable_after:
            disabled = frozenset() if ALL in enable_after else disabled - enable_after
    return result


def is_suppressed(table: Mapping[int, frozenset[str]], line: int, rule: str, category: str) -> bool:
    ids = table.get(line, frozenset())
    return ALL in ids or rule in ids or category in ids
