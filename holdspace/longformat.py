"""The long data format: one row per administration.

`holdspace analyze` reads it and the CSV export writes it, so both take the columns from
here; this module imports nothing, so neither side pulls in the other's dependencies
(DuckDB for analytics, the FHIR models for interop).
"""

from __future__ import annotations

COLUMNS = (
    "episode_id",
    "client_id",
    "clinician_id",
    "session_number",
    "date",
    "instrument",
    "total",
)

# Written by the export, optional for `holdspace analyze` (which reads an empty total as a
# missing score): why an administration has no total, in plain words. A row with no total
# is still a row, so what the client chose to skip is never dropped from an export.
OPTIONAL_COLUMNS = ("no_total",)
