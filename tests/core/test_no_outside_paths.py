"""No file in the repository points at a path outside it: a newcomer can open every file a
comment or doc names. Sources are cited by name instead.

The one exception is the public FHIR samples, written by other systems: their provenance
asks that they be read from the shared folder beside the clone, not copied in, and the
tests that need them skip (saying why) where it is absent."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".git", ".venv", "node_modules", "__pycache__", ".mypy_cache", ".ruff_cache"}
SUFFIXES = {".py", ".md", ".yaml", ".yml", ".html", ".txt", ".toml", ".json", ".css", ".js"}
OUTSIDE = re.compile(r"/work/|\.\./shared/(?!fhir-samples)|/home/\w+/")
SAMPLE_READERS = {"tests/core/interop/samples.py", "tests/core/interop/test_from_fhir.py"}


def _files() -> list[Path]:
    found = []
    for path in ROOT.rglob("*"):
        parts = set(path.relative_to(ROOT).parts)
        if parts & SKIP_DIRS or not path.is_file() or path.suffix not in SUFFIXES:
            continue
        found.append(path)
    return found


def test_no_file_names_a_path_outside_the_repository() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in _files()
        if path.relative_to(ROOT).as_posix() != "tests/core/test_no_outside_paths.py"
        for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_only_the_sample_readers_name_the_shared_samples() -> None:
    readers = {
        path.relative_to(ROOT).as_posix()
        for path in _files()
        if "../shared/fhir-samples" in path.read_text(errors="replace")
        and path.relative_to(ROOT).as_posix() != "tests/core/test_no_outside_paths.py"
    }
    assert readers <= SAMPLE_READERS
