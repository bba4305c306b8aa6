"""The data folder: private (0700), its files private (0600), its secret key made once.

Importing the settings never writes anything. The commands that set up a deployment
(`holdspace serve`, `migrate`, `demo`, `createuser`) call `prepare()` before Django
starts: it sets a private umask for the process (so the SQLite database, its WAL and
everything else the process creates is 0600), makes the folder 0700, tightens files
an older version left readable, and creates the secret key when the environment gives
none. Read-only commands and a restore do not.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

SECRET_KEY_NAME = "secret_key"
# Files in the data folder that hold client data or the key.
PRIVATE_FILES = (
    SECRET_KEY_NAME,
    "holdspace.sqlite3",
    "holdspace.sqlite3-wal",
    "holdspace.sqlite3-shm",
)


def private_umask() -> None:
    os.umask(0o077)


def prepare(folder: Path) -> None:
    private_umask()
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    folder.chmod(0o700)
    for name in PRIVATE_FILES:
        path = folder / name
        if path.exists():
            path.chmod(0o600)
    if not os.getenv("HOLDSPACE_SECRET_KEY"):
        ensure_secret_key(folder / SECRET_KEY_NAME)


def ensure_secret_key(path: Path) -> None:
    """Write a new key unless one is there; two processes starting at once agree on one."""
    if path.exists():
        return
    draft = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(secrets.token_urlsafe(48))
        fh.flush()
        os.fsync(fh.fileno())
    try:
        os.link(draft, path)  # fails if another process published its key first
    except FileExistsError:
        pass
    finally:
        draft.unlink()
