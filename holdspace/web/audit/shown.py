"""What of an audit event's detail an admin may see: ids, counts and actions, never clinical
content (a rule the linter matched, an answer's status, an instrument).

Every detail key written anywhere is in one of the two sets below;
tests/web/test_audit_shown.py fails on a key that is in neither, so a new key is classified
when it is added."""

from __future__ import annotations

from typing import Any

# Ids, counts and actions: what happened to which record.
ADMIN_KEYS = frozenset(
    {
        "already", "client", "clients", "comparison", "complete", "count", "episode",
        "episodes", "format", "goal", "in_a_row", "link", "page", "pin_reset", "pin_set",
        "plan", "report", "revoked", "reviewed", "role", "scope", "space", "step",
        "superseded_by", "version", "via", "window_minutes",
    }
)  # fmt: skip
# What the record says: kept in the log for the record's own clinician and for export.
CLINICAL_KEYS = frozenset(
    {"fields", "field", "instrument", "marks", "parts", "rule", "rules", "source", "status",
     "steps", "warnings"}
)  # fmt: skip


def admin_detail(detail: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """The part an admin sees, and how many entries were left out."""
    shown = {k: v for k, v in detail.items() if k in ADMIN_KEYS}
    return shown, len(detail) - len(shown)
