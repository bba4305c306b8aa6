"""CSV in the long format `holdspace analyze` reads: one row per administration with a total."""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from holdspace.interop._records import AdministrationRecord
from holdspace.longformat import COLUMNS


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
    }


def write_csv(records: Iterable[AdministrationRecord], out: TextIO) -> int:
    """Write the header and one row per scored record; return the number of rows.

    Administrations without a total (too many items unanswered) are left out: the
    analysis needs a number, and an empty total would only be reported as a bad row.
    """
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        if record.total is None:
            continue
        writer.writerow(csv_row(record))
        count += 1
    return count
