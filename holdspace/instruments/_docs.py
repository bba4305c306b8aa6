"""The instrument table for docs/instruments.md and the README, generated from the data.

A test checks that the table in the docs equals this output, so the docs cannot drift
from the definitions (`holdspace instruments table` prints it).
"""

from __future__ import annotations

from holdspace.instruments._model import Instrument

HEADER = (
    "| id | name | licence | shipped | reliable change (source) | unverified values |\n"
    "|---|---|---|---|---|---|"
)


def _shipped(ins: Instrument) -> str:
    return "text + scoring" if ins.text_available else "scoring only (text supplied locally)"


def _reliable_change(ins: Instrument) -> str:
    rc = ins.reliable_change
    value = "none published" if rc.threshold is None else f"{rc.threshold:g}"
    mark = "" if rc.verified else " [unverified]"
    source = rc.source.replace("|", "/").replace("\n", " ")
    return f"{value}{mark} ({source})" if rc.threshold is not None else f"{value}{mark}"


def table_row(ins: Instrument) -> str:
    unverified = ", ".join(ins.unverified) or "none"
    cells = [
        f"`{ins.id}`",
        ins.name,
        ins.licence.status + ("" if ins.licence.verified else " [unverified]"),
        _shipped(ins),
        _reliable_change(ins),
        unverified,
    ]
    return "| " + " | ".join(cells) + " |"


def markdown_table(instruments: list[Instrument]) -> str:
    return "\n".join([HEADER, *(table_row(ins) for ins in instruments)])
