"""Read JSON from outside with a size and a nesting limit, so hostile input gets one line.

`json.loads` recurses once per nesting level: a file of 100,000 opening brackets raises
RecursionError (a traceback from the CLI, a 500 from the API). The depth is measured
first by a linear scan that never recurses, and the file is refused before parsing.
"""

from __future__ import annotations

import json
from typing import Any

from holdspace.interop._records import FhirImportError

# The deepest real FHIR resource seen in the public samples (LHC-Forms PHQ-9, nested
# answerOption extensions) is 9 levels; questionnaires with groups inside groups reach
# perhaps 20. 64 leaves room for any honest file and stays far below Python's limit.
MAX_DEPTH = 64
# Twenty years of weekly questionnaires for one client is about 1,000 responses of
# 5 KB each; 20 MB is four times that, and small enough to hold in memory safely.
MAX_BYTES = 20 * 1024 * 1024


def _depth(text: str) -> int:
    """The deepest nesting of arrays and objects, skipping strings; no recursion."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > MAX_DEPTH:
                    return deepest
        elif ch in "]}":
            depth -= 1
    return deepest


def load_json(raw: str | bytes, *, what: str = "the file") -> Any:
    """Parsed JSON, or FhirImportError with one plain line (size, depth or syntax)."""
    size = len(raw.encode() if isinstance(raw, str) else raw)
    if size > MAX_BYTES:
        raise FhirImportError(
            [f"{what} is {size:,} bytes; at most {MAX_BYTES:,} are read (split it up)"]
        )
    try:
        text = raw.decode("utf-8-sig") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise FhirImportError(
            [f"{what} is not UTF-8 text ({exc.reason} at byte {exc.start})"]
        ) from exc
    if _depth(text) > MAX_DEPTH:
        raise FhirImportError(
            [
                f"{what} nests arrays or objects more than {MAX_DEPTH} levels deep "
                "(no FHIR file does)"
            ]
        )
    try:
        return json.loads(text)
    except ValueError as exc:
        raise FhirImportError([f"{what} is not JSON ({exc})"]) from exc
    except RecursionError as exc:  # pragma: no cover - the depth check comes first
        raise FhirImportError([f"{what} nests too deeply to read"]) from exc
