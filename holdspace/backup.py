"""Encrypted, verifiable backups of a Holdspace database.

A backup is one file: a small clear header (format, scrypt parameters, salt) followed by
an AES-256-GCM encrypted tar stream holding ``manifest.json``, the database snapshot and
the data folder's secret key. The stream is cut into chunks; each chunk's nonce carries
its number and a "last chunk" flag (the STREAM construction of Hoang, Reyhanitabar,
Rogaway & Vizár 2015), so a chunk cannot be dropped, reordered or cut off unnoticed, and
the header is bound to every chunk as associated data.

- SQLite: a consistent snapshot through SQLite's online backup API.
- PostgreSQL: ``pg_dump`` run on a snapshot exported from a REPEATABLE READ transaction,
  so the dump and the per-table checksums see exactly the same rows.

The manifest lists a SHA-256 for every file and, per table, the row count and a content
hash; ``verify_backup`` and ``restore_backup`` check them all before anything is written
to the target, and a restore refuses any target that already holds data.

Plaintext never touches a named file: snapshots, decrypted members and the dump fed to
``psql`` live in memory or in unlinked temporary files (``tempfile.TemporaryFile``), so
a killed backup, verify or restore leaves nothing readable behind. Backup files and a
restored database are created 0600.

This module is framework-free (no Django); the CLI passes it plain connection settings.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sqlite3
import struct
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"HSBACKUP"
FORMAT_VERSION = 1
CHUNK_SIZE = 1 << 20
MIN_PASSPHRASE_LENGTH = 10
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
POSTGRES_FILE = "database.sql"
SECRET_KEY_FILE = "secret_key"
# scrypt cost: N=2**17, r=8, p=1 is the OWASP Password Storage Cheat Sheet's
# recommended minimum for scrypt (about 128 MiB and a quarter second per derivation).
DEFAULT_SCRYPT = {"n": 2**17, "r": 8, "p": 1}
_KEY_CHECK = b"holdspace-backup-key-check"
_CHECK_FLAG = 2  # nonce flag used only by the key check, never by a data chunk


class BackupError(Exception):
    """A backup or restore was refused; the message says why in plain words."""


class WrongPassphraseError(BackupError):
    pass


class CorruptBackupError(BackupError):
    pass


class TargetNotEmptyError(BackupError):
    pass


@dataclass(frozen=True)
class SqliteDatabase:
    path: Path

    @property
    def engine(self) -> str:
        return "sqlite"


@dataclass(frozen=True)
class PostgresDatabase:
    dbname: str
    user: str = ""
    password: str = ""
    host: str = ""
    port: str = ""

    @property
    def engine(self) -> str:
        return "postgresql"

    def conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        parts = {"dbname": self.dbname, "user": self.user, "host": self.host, "port": self.port}
        return make_conninfo(**{k: v for k, v in parts.items() if v})

    def env(self) -> dict[str, str]:
        """Environment for pg_dump/psql: the password never appears on a command line."""
        env = dict(os.environ)
        pairs = {
            "PGDATABASE": self.dbname,
            "PGUSER": self.user,
            "PGPASSWORD": self.password,
            "PGHOST": self.host,
            "PGPORT": self.port,
        }
        env.update({k: v for k, v in pairs.items() if v})
        return env


Database = SqliteDatabase | PostgresDatabase


@dataclass(frozen=True)
class TableSummary:
    rows: int
    sha256: str


@dataclass(frozen=True)
class Manifest:
    engine: str
    created_at: str
    files: dict[str, str]  # name -> sha256
    tables: dict[str, TableSummary]
    format_version: int = FORMAT_VERSION
    notes: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> bytes:
        return json.dumps(asdict(self), indent=2, sort_keys=True).encode()

    @classmethod
    def from_json(cls, raw: bytes) -> Manifest:
        data = json.loads(raw)
        tables = {name: TableSummary(**t) for name, t in data["tables"].items()}
        return cls(
            engine=data["engine"],
            created_at=data["created_at"],
            files=dict(data["files"]),
            tables=tables,
            format_version=int(data["format_version"]),
            notes=dict(data.get("notes", {})),
        )


# --- table content hashes -------------------------------------------------------------


def _rows_digest(rows: Iterable[tuple[Any, ...]]) -> TableSummary:
    """Order-independent: each row becomes one canonical JSON line; lines are sorted."""
    lines = sorted(json.dumps(list(row), sort_keys=True, default=repr) for row in rows)
    digest = hashlib.sha256()
    for line in lines:
        digest.update(line.encode())
        digest.update(b"\n")
    return TableSummary(rows=len(lines), sha256=digest.hexdigest())


def _sqlite_summaries(conn: sqlite3.Connection) -> dict[str, TableSummary]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' "
            "AND name NOT LIKE 'sqlite_%' ORDER BY name"
        )
    ]
    return {n: _rows_digest(conn.execute(f'SELECT * FROM "{n}"')) for n in names}


def sqlite_table_summaries(path: Path) -> dict[str, TableSummary]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _sqlite_summaries(conn)
    finally:
        conn.close()


def _image_summaries(image: bytes) -> dict[str, TableSummary]:
    """Table summaries of a SQLite database held in memory."""
    conn = sqlite3.connect(":memory:")
    try:
        conn.deserialize(image)
        return _sqlite_summaries(conn)
    except sqlite3.DatabaseError as exc:
        raise CorruptBackupError("The backup's database snapshot is damaged.") from exc
    finally:
        conn.close()


def _postgres_summaries(conn: Any) -> dict[str, TableSummary]:
    names = [
        r[0]
        for r in conn.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
        )
    ]
    return {n: _rows_digest(conn.execute(f'SELECT * FROM public."{n}"')) for n in names}


def postgres_table_summaries(db: PostgresDatabase) -> dict[str, TableSummary]:
    import psycopg

    with psycopg.connect(db.conninfo(), password=db.password or None) as conn:
        return _postgres_summaries(conn)


def table_summaries(db: Database) -> dict[str, TableSummary]:
    if isinstance(db, SqliteDatabase):
        return sqlite_table_summaries(db.path)
    return postgres_table_summaries(db)


# --- snapshots -----------------------------------------------------------------------


# A snapshot: its name in the archive, an unlinked file (or memory) holding it, its tables.
Snapshot = tuple[str, IO[bytes], dict[str, TableSummary]]


def _snapshot_sqlite(db: SqliteDatabase) -> Snapshot:
    if not db.path.exists():
        raise BackupError(f"database: no SQLite file at {db.path}")
    src = sqlite3.connect(f"file:{db.path}?mode=ro", uri=True)
    mem = sqlite3.connect(":memory:")
    try:
        # The online backup API copies a consistent image even while the app writes.
        src.backup(mem)
        tables = _sqlite_summaries(mem)
        image = bytearray(mem.serialize())
    finally:
        mem.close()
        src.close()
    # SQLite file format, offsets 18-19: 1 = rollback journal, 2 = WAL. A restored copy
    # starts in rollback mode (the app switches it to WAL), as PRAGMA journal_mode=DELETE
    # would leave it.
    image[18:20] = b"\x01\x01"
    return SQLITE_FILE, io.BytesIO(bytes(image)), tables


def _snapshot_postgres(db: PostgresDatabase) -> Snapshot:
    import psycopg

    dump = tempfile.TemporaryFile()  # noqa: SIM115 (returned; unlinked from the start)
    with psycopg.connect(db.conninfo(), password=db.password or None) as conn:
        conn.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        conn.read_only = True
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()
        assert snapshot is not None
        command = ["pg_dump", "--no-owner", "--no-privileges", f"--snapshot={snapshot[0]}"]
        _run(command, db, "pg_dump", stdout=dump)
        tables = _postgres_summaries(conn)
    dump.seek(0)
    return POSTGRES_FILE, dump, tables


def _run(
    command: list[str],
    db: PostgresDatabase,
    tool: str,
    *,
    stdin: IO[bytes] | None = None,
    stdout: IO[bytes] | None = None,
) -> None:
    if shutil.which(command[0]) is None:
        raise BackupError(f"{tool} is not installed (apt-get install postgresql-client)")
    done = subprocess.run(
        command,
        env=db.env(),
        stdin=stdin,
        stdout=stdout if stdout is not None else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        check=False,
    )
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip()[:500]
        raise BackupError(f"{tool} failed: {message}")


# --- the encrypted container ---------------------------------------------------------


def _derive_key(passphrase: str, kdf: dict[str, Any]) -> bytes:
    salt = base64.b64decode(kdf["salt"])
    scrypt = Scrypt(salt=salt, length=32, n=int(kdf["n"]), r=int(kdf["r"]), p=int(kdf["p"]))
    return scrypt.derive(passphrase.encode())


def _nonce(prefix: bytes, counter: int, flag: int) -> bytes:
    return prefix + struct.pack(">IB", counter, flag)


class _EncryptingWriter(io.RawIOBase):
    """A write-only stream: buffers plaintext and writes encrypted chunks to `out`."""

    def __init__(self, out: IO[bytes], key: bytes, prefix: bytes, aad: bytes) -> None:
        self._out, self._aead, self._prefix, self._aad = out, AESGCM(key), prefix, aad
        self._buffer = bytearray()
        self._counter = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self._buffer.extend(data)
        while len(self._buffer) > CHUNK_SIZE:
            self._emit(bytes(self._buffer[:CHUNK_SIZE]), last=False)
            del self._buffer[:CHUNK_SIZE]
        return len(data)

    def finish(self) -> None:
        self._emit(bytes(self._buffer), last=True)
        self._buffer.clear()

    def _emit(self, plain: bytes, *, last: bool) -> None:
        nonce = _nonce(self._prefix, self._counter, 1 if last else 0)
        sealed = self._aead.encrypt(nonce, plain, self._aad)
        self._out.write(struct.pack(">I", len(sealed)) + sealed)
        self._counter += 1


def _decrypted_chunks(src: IO[bytes], key: bytes, prefix: bytes, aad: bytes) -> Iterator[bytes]:
    aead = AESGCM(key)
    counter = 0
    while True:
        size_raw = src.read(4)
        if len(size_raw) != 4:
            raise CorruptBackupError(
                "The backup file is damaged: it ends early (was the copy cut short?)."
            )
        (size,) = struct.unpack(">I", size_raw)
        sealed = src.read(size)
        plain, last = _open_chunk(aead, prefix, counter, sealed, aad)
        yield plain
        if last:
            if src.read(1):
                raise CorruptBackupError("The backup file is damaged: extra data after the end.")
            return
        counter += 1


def _open_chunk(
    aead: AESGCM, prefix: bytes, counter: int, sealed: bytes, aad: bytes
) -> tuple[bytes, bool]:
    for flag in (0, 1):
        try:
            return aead.decrypt(_nonce(prefix, counter, flag), sealed, aad), flag == 1
        except InvalidTag:
            continue
    raise CorruptBackupError(
        f"The backup file is damaged: part {counter + 1} does not match its checksum."
    )


def _header(passphrase: str, scrypt: dict[str, int]) -> tuple[bytes, bytes, bytes]:
    """Return (header bytes, key, nonce prefix); the header is public, the key is not."""
    kdf = {"name": "scrypt", **scrypt, "salt": base64.b64encode(os.urandom(16)).decode()}
    key = _derive_key(passphrase, kdf)
    prefix = os.urandom(7)
    check = AESGCM(key).encrypt(_nonce(prefix, 0xFFFFFFFF, _CHECK_FLAG), _KEY_CHECK, None)
    fields = {
        "kdf": kdf,
        "cipher": "AES-256-GCM",
        "nonce_prefix": base64.b64encode(prefix).decode(),
        "key_check": base64.b64encode(check).decode(),
    }
    body = json.dumps(fields, sort_keys=True).encode()
    return MAGIC + bytes([FORMAT_VERSION]) + struct.pack(">I", len(body)) + body, key, prefix


def _read_header(src: IO[bytes], passphrase: str) -> tuple[bytes, bytes, bytes]:
    start = src.read(len(MAGIC) + 5)
    if len(start) != len(MAGIC) + 5 or not start.startswith(MAGIC):
        raise CorruptBackupError("This is not a Holdspace backup file (or its start is damaged).")
    if start[len(MAGIC)] != FORMAT_VERSION:
        raise BackupError(f"Backup format {start[len(MAGIC)]} is not supported by this version.")
    (size,) = struct.unpack(">I", start[-4:])
    body = src.read(size)
    try:
        fields = json.loads(body)
        prefix = base64.b64decode(fields["nonce_prefix"])
        check = base64.b64decode(fields["key_check"])
        key = _derive_key(passphrase, fields["kdf"])
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptBackupError("The backup file's header is damaged.") from exc
    try:
        AESGCM(key).decrypt(_nonce(prefix, 0xFFFFFFFF, _CHECK_FLAG), check, None)
    except InvalidTag as exc:
        raise WrongPassphraseError(
            "Wrong passphrase: this backup was made with a different one. Nothing was changed."
        ) from exc
    return start + body, key, prefix


class _ChunkReader(io.RawIOBase):
    """A read-only stream over decrypted chunks, for tarfile's streaming mode."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks, self._pending = chunks, b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._pending:
            try:
                self._pending = next(self._chunks)
            except StopIteration:
                return 0
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n


# --- public operations ---------------------------------------------------------------


def _sha256_stream(fh: IO[bytes]) -> str:
    digest = hashlib.sha256()
    fh.seek(0)
    for block in iter(lambda: fh.read(1 << 16), b""):
        digest.update(block)
    fh.seek(0)
    return digest.hexdigest()


def _size(fh: IO[bytes]) -> int:
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    return size


def check_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE_LENGTH:
        raise BackupError(
            f"passphrase: use at least {MIN_PASSPHRASE_LENGTH} characters "
            "(a few words are easy to remember and hard to guess)."
        )


def create_backup(
    db: Database,
    out: Path,
    passphrase: str,
    *,
    secret_key_file: Path | None = None,
    scrypt: dict[str, int] | None = None,
) -> Manifest:
    """Snapshot `db`, encrypt it with `passphrase` and write it to `out` atomically (0600)."""
    check_passphrase(passphrase)
    if isinstance(db, SqliteDatabase):
        name, snapshot, tables = _snapshot_sqlite(db)
    else:
        name, snapshot, tables = _snapshot_postgres(db)
    with snapshot:
        members: dict[str, IO[bytes]] = {name: snapshot}
        if secret_key_file is not None and secret_key_file.exists():
            members[SECRET_KEY_FILE] = io.BytesIO(secret_key_file.read_bytes())
        manifest = Manifest(
            engine=db.engine,
            created_at=datetime.now(UTC).isoformat(timespec="seconds"),
            files={n: _sha256_stream(fh) for n, fh in members.items()},
            tables=tables,
        )
        _write_container(members, manifest, out, passphrase, scrypt or DEFAULT_SCRYPT)
    return manifest


def create_private(path: Path) -> IO[bytes]:
    """A new file readable by its owner only (0600), replacing a stale one of that name."""
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    return os.fdopen(fd, "wb")


def _write_container(
    members: dict[str, IO[bytes]],
    manifest: Manifest,
    out: Path,
    passphrase: str,
    scrypt: dict[str, int],
) -> None:
    header, key, prefix = _header(passphrase, scrypt)
    partial = out.with_name(out.name + ".partial")
    try:
        with create_private(partial) as fh:
            fh.write(header)
            writer = _EncryptingWriter(fh, key, prefix, header)
            with tarfile.open(fileobj=writer, mode="w|") as tar:
                raw = manifest.to_json()
                _add_member(tar, MANIFEST, io.BytesIO(raw))
                for name, member in members.items():
                    _add_member(tar, name, member)
            writer.finish()
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)


def _add_member(tar: tarfile.TarFile, name: str, fh: IO[bytes]) -> None:
    info = tarfile.TarInfo(name)
    info.size = _size(fh)
    info.mode = 0o600
    tar.addfile(info, fh)


# Decrypted members are kept in memory up to this size, then in an unlinked file.
_SPOOL = 64 << 20
_MEMBERS = {MANIFEST, SQLITE_FILE, POSTGRES_FILE, SECRET_KEY_FILE}


@dataclass
class _Unpacked:
    """A checked backup's contents, in memory or unlinked files: nothing has a name."""

    manifest: Manifest
    members: dict[str, IO[bytes]]

    def read(self, name: str) -> bytes:
        fh = self.members[name]
        fh.seek(0)
        return fh.read()

    def close(self) -> None:
        for fh in self.members.values():
            fh.close()


def _unpack(path: Path, passphrase: str) -> _Unpacked:
    """Decrypt and check every checksum; raise before returning otherwise."""
    if not path.is_file():
        raise BackupError(f"backup: no file at {path}")
    members: dict[str, IO[bytes]] = {}
    try:
        with path.open("rb") as src:
            header, key, prefix = _read_header(src, passphrase)
            reader = io.BufferedReader(_ChunkReader(_decrypted_chunks(src, key, prefix, header)))
            _extract(reader, members)
            # tar stops at its end-of-archive marker; the rest of the stream must still
            # be read, so a dropped last chunk or bytes appended after it are caught.
            while reader.read(1 << 16):
                pass
        unpacked = _Unpacked(_check_members(members), members)
    except BaseException:
        for fh in members.values():
            fh.close()
        raise
    return unpacked


def _extract(reader: IO[bytes], members: dict[str, IO[bytes]]) -> None:
    try:
        with tarfile.open(fileobj=reader, mode="r|") as tar:
            for info in tar:
                if not info.isfile() or info.name not in _MEMBERS or info.name in members:
                    raise CorruptBackupError(f"The backup holds an unexpected entry: {info.name}")
                data = tar.extractfile(info)
                assert data is not None
                spool = tempfile.SpooledTemporaryFile(max_size=_SPOOL)  # noqa: SIM115
                members[info.name] = spool
                shutil.copyfileobj(data, spool)
    except tarfile.TarError as exc:
        raise CorruptBackupError("The backup's contents are damaged.") from exc


def _check_members(members: dict[str, IO[bytes]]) -> Manifest:
    if MANIFEST not in members:
        raise CorruptBackupError("The backup's manifest is missing or damaged.")
    members[MANIFEST].seek(0)
    try:
        manifest = Manifest.from_json(members[MANIFEST].read())
    except (ValueError, KeyError, TypeError) as exc:
        raise CorruptBackupError("The backup's manifest is missing or damaged.") from exc
    for name, expected in manifest.files.items():
        if name not in members or _sha256_stream(members[name]) != expected:
            raise CorruptBackupError(f"The backup is damaged: {name} does not match its checksum.")
    if manifest.engine == "sqlite":
        members[SQLITE_FILE].seek(0)
        found = _image_summaries(members[SQLITE_FILE].read())
        _check_tables(manifest, found, "in the backup")
    return manifest


def _check_tables(manifest: Manifest, found: dict[str, TableSummary], where: str) -> None:
    for name, expected in manifest.tables.items():
        got = found.get(name)
        if got != expected:
            got_rows = "no table" if got is None else f"{got.rows} rows"
            raise CorruptBackupError(
                f"Table {name} {where} does not match the manifest "
                f"(expected {expected.rows} rows, found {got_rows} or different content)."
            )


def verify_backup(path: Path, passphrase: str) -> Manifest:
    """Decrypt in memory and check every checksum; change nothing."""
    unpacked = _unpack(path, passphrase)
    unpacked.close()
    return unpacked.manifest


def restore_backup(
    path: Path, passphrase: str, db: Database, *, secret_key_file: Path | None = None
) -> Manifest:
    """Restore into an empty database; every check runs before the target is touched."""
    unpacked = _unpack(path, passphrase)
    try:
        manifest = unpacked.manifest
        if manifest.engine != db.engine:
            raise BackupError(
                f"This backup is of a {manifest.engine} database; the target is {db.engine}. "
                "Restore it into the same kind of database."
            )
        if isinstance(db, SqliteDatabase):
            _restore_sqlite(unpacked.read(SQLITE_FILE), db)
        else:
            _restore_postgres(unpacked.members[POSTGRES_FILE], db)
        _check_tables(manifest, table_summaries(db), "after the restore")
        if secret_key_file is not None and SECRET_KEY_FILE in unpacked.members:
            # Signed check-in links and sessions keep working with the original key.
            _publish(secret_key_file, lambda fh: fh.write(unpacked.read(SECRET_KEY_FILE)))
    finally:
        unpacked.close()
    return manifest


def _sqlite_is_empty(path: Path) -> bool:
    if not path.exists() or path.stat().st_size == 0:
        return True
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
    finally:
        conn.close()
    return bool(row[0] == 0)


def _publish(path: Path, write: Callable[[IO[bytes]], object]) -> None:
    """Write a 0600 file that appears whole under `path` or not at all.

    Where the system allows it (Linux, O_TMPFILE, and a link from /proc), the content goes
    into a file without a name that gets one only when complete, so a kill leaves nothing.
    Elsewhere a 0600 ``.partial`` file beside it is renamed into place; `holdspace serve`
    and `migrate` remove one a killed restore left (holdspace/web/datafolder.py).
    """
    if _publish_unnamed(path, write):
        return
    partial = path.with_name(path.name + ".partial")
    try:
        with create_private(partial) as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)


def _publish_unnamed(path: Path, write: Callable[[IO[bytes]], object]) -> bool:
    flag = getattr(os, "O_TMPFILE", 0)
    try:
        fd = os.open(path.parent, flag | os.O_WRONLY, 0o600) if flag else -1
    except OSError:  # the file system does not support it
        return False
    if fd < 0:
        return False
    named = path.with_name(f".{path.name}.{os.getpid()}")
    with os.fdopen(fd, "wb") as fh:
        write(fh)
        fh.flush()
        os.fsync(fh.fileno())
        named.unlink(missing_ok=True)
        try:
            os.link(f"/proc/self/fd/{fd}", named)
        except OSError:  # e.g. a cross-device /proc link in a container
            return False
    os.replace(named, path)
    return True


def _restore_sqlite(image: bytes, db: SqliteDatabase) -> None:
    if not _sqlite_is_empty(db.path):
        raise TargetNotEmptyError(
            f"The data folder already holds a database ({db.path}). Restore only into an "
            "empty data folder; nothing was changed."
        )
    db.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    for stale in (Path(f"{db.path}-wal"), Path(f"{db.path}-shm")):
        stale.unlink(missing_ok=True)
    # The database appears whole or not at all.
    _publish(db.path, lambda fh: fh.write(image))


def _restore_postgres(dump: IO[bytes], db: PostgresDatabase) -> None:
    import psycopg

    with psycopg.connect(db.conninfo(), password=db.password or None) as conn:
        row = conn.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        ).fetchone()
    if row is None or row[0] != 0:
        raise TargetNotEmptyError(
            f"The database {db.dbname} already has tables. Restore only into an empty "
            "database; nothing was changed."
        )
    # psql reads the dump on its standard input: an unlinked file, never a named one.
    if isinstance(dump, tempfile.SpooledTemporaryFile):
        dump.rollover()
    dump.seek(0)
    # One transaction: any error rolls the whole restore back.
    command = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
    _run(command + ["-f", "-"], db, "psql", stdin=dump)
