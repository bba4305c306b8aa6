"""The API's OpenAPI description, kept as data beside the views it describes."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

DOCUMENT = Path(__file__).with_name("openapi.yaml")


@cache
def openapi_document() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DOCUMENT.read_text(encoding="utf-8"))
    return data
