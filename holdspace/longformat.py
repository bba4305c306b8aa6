"""The long data format: one row per scored administration.

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
