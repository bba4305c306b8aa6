"""Every documented list is checked: commands, docs files, and the README's map."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import typer.main

from holdspace.cli import app

ROOT = Path(__file__).resolve().parent.parent
CLI_DOC = (ROOT / "docs" / "cli.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", COMMANDS)
def test_every_command_is_documented(name: str) -> None:
    assert f"| `holdspace {name}" in CLI_DOC


def test_every_documented_command_exists() -> None:
    documented = set(re.findall(r"^\| `holdspace (\w+)", CLI_DOC, re.MULTILINE))

    assert documented == set(COMMANDS)


def test_every_doc_the_cli_page_names_exists() -> None:
    for path in set(re.findall(r"docs/[\w/]+\.md", CLI_DOC)):
        assert (ROOT / path).exists(), path


@pytest.mark.parametrize("path", re.findall(r"`(holdspace/[\w/.]+?)/?`", README))
def test_every_path_in_the_readme_architecture_exists(path: str) -> None:
    assert (ROOT / path).exists(), f"README names {path}, which does not exist"


@pytest.mark.parametrize(
    "script", sorted(p.name for p in (ROOT / "benchmarks").glob("*.py")), ids=str
)
def test_every_benchmark_is_in_the_benchmarks_page(script: str) -> None:
    page = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")

    assert f"benchmarks/{script}" in page
