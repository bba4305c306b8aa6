"""Every environment variable Holdspace reads is documented, and nothing else is."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

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


# Read before Django's settings exist: where the data folder is and whether to make a key
# (the CLI and holdspace/web/datafolder.py), and which settings module to load.
READ_BEFORE_SETTINGS = {
    "holdspace/cli/web.py": {"HOLDSPACE_DATA"},
    "holdspace/web/datafolder.py": {"HOLDSPACE_SECRET_KEY"},
    "holdspace/web/settings_test.py": {"HOLDSPACE_DATA", "HOLDSPACE_SECRET_KEY"},
}


def test_the_web_app_reads_the_environment_only_in_settings_py() -> None:
    """One place for settings: every other module reads django.conf.settings."""
    strays = {}
    for path in SOURCES:
        rel = path.relative_to(ROOT).as_posix()
        if rel == "holdspace/web/settings.py" or not rel.startswith("holdspace/web/"):
            continue
        names = {m.group(1) or m.group(2) for m in READS.finditer(path.read_text())}
        names -= READ_BEFORE_SETTINGS.get(rel, set()) | {"DJANGO_SETTINGS_MODULE"}
        if names:
            strays[rel] = sorted(names)
    assert strays == {}


def test_the_core_reads_the_environment_only_for_local_instruments() -> None:
    # The core is framework-free and is given its settings (the card folder, limits) as
    # arguments. Two exceptions: the local instrument definitions folder, a default the
    # CLI and the web app share, and backup.py handing the environment on to pg_dump.
    allowed = {"holdspace/instruments/_loader.py", "holdspace/backup.py"}
    found = []
    for path in SOURCES:
        rel = path.relative_to(ROOT).as_posix()
        if rel.startswith(("holdspace/web/", "holdspace/cli/")) or rel in allowed:
            continue
        if re.search(r"os\.(getenv|environ)", path.read_text()):
            found.append(rel)
    assert found == []


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("HOLDSPACE_CHECKIN_HOURS", "0", "HOLDSPACE_CHECKIN_HOURS must be at least 1, got 0"),
        ("HOLDSPACE_CHECKIN_WINDOW", "15m", "HOLDSPACE_CHECKIN_WINDOW must be a whole number"),
        ("HOLDSPACE_SPACE_PIN_LIMIT", "-3", "HOLDSPACE_SPACE_PIN_LIMIT must be at least 1"),
    ],
)
def test_a_setting_below_its_minimum_stops_the_app_naming_it(
    name: str, value: str, message: str
) -> None:
    env = {**os.environ, name: value, "DJANGO_SETTINGS_MODULE": "holdspace.web.settings"}
    result = subprocess.run(
        [sys.executable, "-c", "import holdspace.web.settings"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert result.returncode != 0
    assert message in result.stderr


def test_no_test_mixes_override_settings_with_the_settings_fixture() -> None:
    """Both at once leak: the fixture restores what it saw inside the decorator's override,
    so the override outlives its test (a trusted proxy once leaked into the next module)."""
    import ast

    mixed = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.FunctionDef):
                continue
            decorated = any("override_settings" in ast.unparse(d) for d in node.decorator_list)
            if decorated and "settings" in [a.arg for a in node.args.args]:
                mixed.append(f"{path.relative_to(ROOT)}::{node.name}")
    assert mixed == []
