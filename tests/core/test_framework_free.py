"""The core library never imports Django: it runs and is tested without the web app."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "holdspace"
# The CLI (holdspace/cli) is the thin shell over both layers and may load the web app.
SHELLS = {"web", "cli"}
CORE = sorted(p for p in PACKAGE.rglob("*.py") if p.relative_to(PACKAGE).parts[0] not in SHELLS)


def imported_roots(path: Path) -> set[str]:
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
            if node.module.startswith("holdspace.web"):
                roots.add("holdspace.web")
    return roots


def test_the_scan_sees_the_core() -> None:
    names = {p.relative_to(PACKAGE).as_posix() for p in CORE}

    assert {"change.py", "instruments/_scoring.py", "language/engine.py"} <= names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.relative_to(PACKAGE).as_posix())
def test_core_module_does_not_import_django(path: Path) -> None:
    roots = imported_roots(path)

    assert "django" not in roots
    assert "holdspace.web" not in roots
