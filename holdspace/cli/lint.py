"""`holdspace lint`: check notes or documents for labelling language."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from holdspace.cli._lazy import lazy_module

if TYPE_CHECKING:
    from holdspace.language import LintConfig
    from holdspace.language.model import Finding

language = lazy_module("holdspace.language")

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown", ".rst", ".html", ".htm", ".text"})


class Format(StrEnum):
    text = "text"
    json = "json"
    sarif = "sarif"


class BadInput(Exception):
    """A path or input that cannot be linted; the message says why."""


def _files(paths: list[str]) -> list[tuple[str, Path | None]]:
    """Expand folders to their text files; "-" means standard input."""
    out: list[tuple[str, Path | None]] = []
    for raw in paths:
        if raw == "-":
            out.append(("-", None))
            continue
        path = Path(raw)
        if path.is_dir():
            found = sorted(p for p in path.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES)
            out.extend((str(p), p) for p in found if p.is_file())
        elif path.is_file():
            out.append((raw, path))
        else:
            raise BadInput(f"{raw}: no such file or folder")
    return out


def _read(name: str, path: Path | None) -> str:
    try:
        return sys.stdin.read() if path is None else path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{name}: not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise BadInput(f"{name}: cannot read ({exc.strerror})") from exc


def run(paths: list[str], fmt: str, config: LintConfig) -> tuple[str, int]:
    """Lint the inputs; returns the rendered report and the exit status (1 if any warning)."""
    results: list[tuple[str, tuple[Finding, ...]]] = [
        (name, language.lint(_read(name, path), config)) for name, path in _files(paths or ["-"])
    ]
    warned = any(f.level == "warn" for _, findings in results for f in findings)
    from holdspace.language.report import render

    return render(results, fmt), 1 if warned else 0


PathsArgument = typer.Argument(
    None, help="Files or folders to check; '-' (or nothing) reads standard input."
)
FormatOption = typer.Option(Format.text, "--format", "-f", help="text, json or sarif.")
ConfigOption = typer.Option(
    None, "--config", help="Config file (default: .holdspace-lint.yaml in this folder)."
)


def lint_command(
    paths: list[str] = PathsArgument,
    fmt: Format = FormatOption,
    config: Path | None = ConfigOption,
) -> None:
    """Flag labelling language and suggest person-centred wording.

    Exit status: 0 no warnings, 1 warnings found, 2 bad input.
    """
    try:
        report, status = run(list(paths or []), fmt.value, language.load_config(config))
    except (BadInput, language.ConfigError) as exc:
        typer.echo(f"holdspace lint: {exc}", err=True)
        raise typer.Exit(2) from exc
    typer.echo(report, nl=False)
    raise typer.Exit(status)


def register(app: typer.Typer) -> None:
    app.command("lint")(lint_command)
