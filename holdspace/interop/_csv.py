"""CSV in the long format `holdspace analyze` reads: one row per administration."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from holdspace.instruments import UnknownInstrumentError, get_instrument
from holdspace.interop._records import AdministrationRecord
from holdspace.longformat import COLUMNS, OPTIONAL_COLUMNS


def csv_row(record: AdministrationRecord) -> dict[str, str]:
    total = record.total
    return {
        "episode_id": record.episode_id,
        "client_id": record.client_code,
        "clinician_id": record.clinician_id,
        "session_number": "" if record.session_number is None else str(record.session_number),
        "date": record.completed_at.date().isoformat(),
        "instrument": record.instrument_id,
        # repr keeps every digit of a float total; whole numbers print without ".0".
        "total": "" if total is None else (str(int(total)) if total.is_integer() else repr(total)),
        "no_total": "" if total is not None else _why_no_total(record),
    }


def _why_no_total(record: AdministrationRecord) -> str:
    if record.total_only:
        return "Another system sent no total."
    try:
        return get_instrument(record.instrument_id).no_total_summary(record.answers)
    except UnknownInstrumentError:
        return "No total."


def write_csv(records: Iterable[AdministrationRecord], out: TextIO) -> int:
    """Write the header and one row per record; return the number of rows.

    An administration without a total keeps its row, with an empty total (a missing score
    to the analysis) and the reason in `no_total`: nothing the client said is dropped.
    """
    writer = csv.DictWriter(out, fieldnames=COLUMNS + OPTIONAL_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count
