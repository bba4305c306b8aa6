"""Where the public FHIR samples are: the shared folder beside the clone, or a fixture.

The shared folder holds files written by other systems, with their provenance (its
README); CI keeps a copy beside the clone. Tests that need it are skipped, saying why,
when it is absent.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
SHARED = ROOT / ".." / "shared" / "fhir-samples"
FIXTURES = ROOT / "tests" / "fixtures" / "fhir"


def sample(name: str) -> bytes:
    """The raw bytes of a shared sample, exactly as its author published it."""
    path = SHARED / name
    if not path.is_file():
        pytest.skip(
            f"public FHIR sample {name} not found in ../shared/fhir-samples beside the clone"
        )
    return path.read_bytes()


def sample_json(name: str) -> Any:
    return json.loads(sample(name))


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def bundle(*resources: Any, full_urls: bool = False) -> bytes:
    """Resources as published, side by side in a collection Bundle (nothing else changed)."""
    entries = []
    for resource in resources:
        entry: dict[str, Any] = {"resource": resource}
        if full_urls and resource.get("id"):
            entry["fullUrl"] = (
                f"http://example.org/fhir/{resource['resourceType']}/{resource['id']}"
            )
        entries.append(entry)
    return json.dumps({"resourceType": "Bundle", "type": "collection", "entry": entries}).encode()
