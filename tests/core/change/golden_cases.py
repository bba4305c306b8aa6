"""Loads the hand-written golden cases shared by the core and analytics tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

GOLDEN = Path(__file__).parent / "golden" / "talking_therapies.yaml"
FLAGS = (
    "finished",
    "paired",
    "caseness_first",
    "recovered",
    "reliable_improvement",
    "reliable_deterioration",
    "reliable_recovery",
)


def load_cases() -> list[dict[str, Any]]:
    data = yaml.safe_load(GOLDEN.read_text())
    return list(data["cases"])
