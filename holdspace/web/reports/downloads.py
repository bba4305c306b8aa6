"""The Content-Disposition header for downloads that carry a client's code in the name.

A client code is free text typed by a clinician ("AB-0412", but also `x"; filename=...`
or a name with accents): only a safe subset reaches the header, so a code can neither
add header parameters nor break the header (a newline would make Django raise).
"""

from __future__ import annotations

import re

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_MAX = 100


def safe_filename(name: str) -> str:
    """`name` with every run of other characters made one "-", at most 100 characters;
    never empty and never hidden (no leading dot)."""
    cleaned = _UNSAFE.sub("-", name).strip(".-")[:_MAX]
    return cleaned or "holdspace-download"


def attachment(name: str) -> str:
    """The header value that saves the response as a file named (a safe form of) `name`."""
    return f'attachment; filename="{safe_filename(name)}"'
