"""Every environment variable Holdspace reads is documented, and nothing else is."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "holdspace").rglob("*.py"))
DOC = ROOT / "docs" / "configuration.md"
READS = re.compile(
    r"""(?:os\.getenv|os\.environ\.get|os\.environ\.setdefault|envbool|envint|_int)\(\s*["']([A-Z0-9_]+)["']"""
    r"""|os\.environ\[["']([A-Z0-9_]+)["']\]"""
)


def variables_read() -> set[str]:
    found: set[str] = set()
    for path in SOURCES:
        for match in READS.finditer(path.read_text()):
            found.add(match.group(1) or match.group(2))
    return found


def variables_documented() -> set[str]:
    return set(re.findall(r"^\| `([A-Z0-9_]+)` \|", DOC.read_text(), re.MULTILINE))


def test_the_scan_finds_the_variables() -> None:
    assert {"HOLDSPACE_DATA", "DATABASE_URL", "HOLDSPACE_IDLE_TIMEOUT"} <= variables_read()


def test_every_variable_read_is_documented() -> None:
    assert sorted(variables_read() - variables_documented()) == []


def test_every_documented_variable_is_read() -> None:
    assert sorted(variables_documented() - variables_read()) == []
