"""Access-matrix declarations for the client's space (see tests/web/personas.py).

The clinician's pages (`spaces:`) take `client_id`, already registered; the client's
pages (`space:`) are opened with a link, not a sign-in.
"""

from __future__ import annotations

from tests.web.personas import public_namespace

public_namespace("space")
