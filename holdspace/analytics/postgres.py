"""The service metrics as SQL inside PostgreSQL, over the web app's tables.

The statements are the ones DuckDB runs (:mod:`holdspace.analytics.metrics`); only the source
relation differs: administrations joined to their session (for the session number) and episode
(for the client and clinician). An administration without a session has no session number and
is left out, as a row with an empty session_number is in a data file; so is one that a
correction superseded (the record keeps it, the numbers read the current one). Takes a DB-API
cursor, so the core library stays free of Django.
"""

from __future__ import annotations

from typing import Any

from holdspace.analytics.metrics import episodes_sql, summary_from_rows, summary_sql
from holdspace.change import TalkingTherapiesConfig

WEB_SOURCE = """(
  SELECT CAST(e.id AS TEXT) AS episode_id, CAST(e.client_id AS TEXT) AS client_id,
    CAST(e.clinician_id AS TEXT) AS clinician_id, s.number AS session_number,
    a.instrument_id AS instrument, a.total AS total, TRUE AS ok
  FROM clients_administration AS a
  JOIN clients_session AS s ON s.id = a.session_id
  JOIN clients_episode AS e ON e.id = a.episode_id
  WHERE a.superseded_at IS NULL
) AS src"""


def service_summary_sql(config: TalkingTherapiesConfig | None = None) -> str:
    cfg = config or TalkingTherapiesConfig()
    episodes = f"({episodes_sql(WEB_SOURCE, cfg, 'postgres')}) AS episodes"
    return summary_sql(episodes)


def service_summary(cursor: Any, config: TalkingTherapiesConfig | None = None) -> dict[str, Any]:
    """Run the summary on a PostgreSQL cursor; same shape as ``analyze``'s summary."""
    cursor.execute(service_summary_sql(config))
    columns = [d[0] for d in cursor.description]
    return summary_from_rows([tuple(r) for r in cursor.fetchall()], columns)
