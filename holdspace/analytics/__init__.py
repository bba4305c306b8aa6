"""Service analytics: the NHS Talking Therapies paired metrics over a long-format data file,
run in process on DuckDB (see docs/analytics.md). The same SQL runs inside PostgreSQL over the
web app's tables (:mod:`holdspace.analytics.postgres`)."""

from __future__ import annotations

from holdspace.analytics.analyze import AnalyzeResult, analyze, instrument_ranges
from holdspace.analytics.load import BadRow, DataFileError, InstrumentRange

__all__ = [
    "AnalyzeResult",
    "BadRow",
    "DataFileError",
    "InstrumentRange",
    "analyze",
    "instrument_ranges",
]
