"""Keep client data out of the server log (DESIGN: "Client data never appears in logs").

Django logs every 4xx/5xx as "<reason>: <path>" and a 500 with its traceback. Two things
in those lines can carry client data: the check-in path holds the link's token (the key
to a client's check-in), and an exception's message can quote a value (PostgreSQL's
"Key (code)=(…) already exists"). This filter, on the console handler, replaces the
token with "<token>" and keeps a traceback's frames and exception type but not its
message. Ids in other paths ("/clients/12/") stay: they are what an operator needs.
"""

from __future__ import annotations

import logging
import re
import traceback

_CHECKIN_PATH = re.compile(r"/c/(?!help/)[^/\s?#]+")
WITHHELD = "(message withheld from the log: it may quote client data)"


def redact(text: str) -> str:
    return _CHECKIN_PATH.sub("/c/<token>", text)


def _traceback_without_messages(exc: BaseException) -> str:
    """Frames (file, line, function, code line) and type names only, for each chained
    exception too; the messages are dropped."""
    parts: list[str] = []
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        frames = "".join(traceback.format_tb(current.__traceback__))
        name = type(current).__module__ + "." + type(current).__qualname__
        parts.append(f"Traceback (most recent call last):\n{frames}{name}: {WITHHELD}")
        current = current.__cause__ or current.__context__
    # Oldest first, as Python prints a chain.
    return "\n\nThe above led to the following:\n\n".join(reversed(parts))


class RedactFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = _traceback_without_messages(record.exc_info[1])
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
