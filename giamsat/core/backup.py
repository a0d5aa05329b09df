"""Backing up and restoring the database, and a per-table fingerprint to compare two copies.

SQLite is copied with SQLite's online backup API: a consistent snapshot while the server keeps
writing (WAL readers never wait for writers). PostgreSQL goes through `pg_dump -Fc` and
`pg_restore --clean --if-exists` with the connection parameters of Django's DATABASES entry
(the password, if any, through PGPASSWORD; the tools never prompt). A backup is written beside
its final name and moved into place when complete, so an interrupted run never leaves a file
that looks like a backup.

The functions take a DATABASES entry (`connections["default"].settings_dict`), so that a test
can restore into a scratch database instead of the one in use.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
import time
import uuid
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.db.utils import load_backend
from django.utils import timezone
from django.utils.translation import gettext as _

SQLITE = "sqlite"
POSTGRESQL = "postgresql"
# The first bytes of each kind of backup file: how a restore tells them apart.
SQLITE_HEADER = b"SQLite format 3\x00"
PG_DUMP_HEADER = b"PGDMP"


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why and what to do."""


@dataclass(frozen=True)
class BackupResult:
    path: Path
    vendor: str
    size: int
    seconds: float


@dataclass(frozen=True)
class TableSummary:
    """A table's number of rows and a SHA-256 over its rows in primary-key order."""

    rows: int
    checksum: str


def database_settings(alias: str = "default") -> dict:
    """The DATABASES entry of `alias` as Django completed it (test database name included)."""
    return dict(connections[alias].settings_dict)


def database_vendor(database: dict) -> str:
    engine = database["ENGINE"]
    if "sqlite3" in engine:
        return SQLITE
    if "postgresql" in engine:
        return POSTGRESQL
    raise BackupError(_("Backups are made for SQLite and PostgreSQL only, not for %(engine)s.") % {"engine": engine})


def default_backup_path(*, vendor: str) -> Path:
    """var/backups/giamsat-YYYYMMDD-HHMMSS.sqlite3 (or .dump for PostgreSQL), local time."""
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    suffix = ".sqlite3" if vendor == SQLITE else ".dump"
    return Path(settings.VAR_DIR) / "backups" / f"giamsat-{stamp}{suffix}"


def database_backup(*, database: dict, path: Path | None = None) -> BackupResult:
    """Write a backup of `database` to `path` (default: a timestamped file under var/backups/).

    Safe while the server and the worker run. An existing file is never overwritten; the new
    one is readable by its owner only."""
    vendor = database_vendor(database)
    path = Path(path) if path else default_backup_path(vendor=vendor)
    if path.exists():
        raise BackupError(_("The file %(path)s exists already: choose another name.") % {"path": path})
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        message = _("Cannot create the folder %(path)s: %(error)s") % {"path": path.parent, "error": error}
        raise BackupError(message) from error
    partial = path.with_name(path.name + ".partial")
    started = time.monotonic()
    try:
        if vendor == SQLITE:
            _sqlite_backup(database, partial)
        else:
            _pg_dump(database, partial)
        # Password and token hashes are in it: readable by the operator's account only.
        partial.chmod(0o600)
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
    return BackupResult(path=path, vendor=vendor, size=path.stat().st_size, seconds=time.monotonic() - started)


def backup_verify(*, path: Path) -> str:
    """Check that a backup file can be read back: SQLite's integrity check of the copy, or
    pg_restore reading the archive's table of contents. Returns the kind of file."""
    vendor = backup_kind(path)
    if vendor == SQLITE:
        _sqlite_check(path)
    else:
        _run([_tool("pg_restore"), "--list", str(path)], env=os.environ.copy(), tool="pg_restore")
    return vendor


def backup_kind(path: Path) -> str:
    """SQLITE or POSTGRESQL, from the file's first bytes; BackupError for anything else."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(_("The backup file %(path)s does not exist.") % {"path": path})
    with path.open("rb") as file:
        head = file.read(len(SQLITE_HEADER))
    if head.startswith(SQLITE_HEADER):
        return SQLITE
    if head.startswith(PG_DUMP_HEADER):
        return POSTGRESQL
    raise BackupError(
        _("%(path)s is not a GiamSat backup (neither a SQLite database nor a pg_dump archive).") % {"path": path}
    )


def database_restore(*, database: dict, path: Path) -> None:
    """Replace the contents of `database` with the backup at `path`.

    The backup must come from the same kind of database: a SQLite copy cannot be restored into
    PostgreSQL or the other way round. Stop the server and the worker first: they would see the
    data change under them. A PostgreSQL restore runs in one transaction (all or nothing)."""
    vendor = database_vendor(database)
    kind = backup_kind(path)
    if kind != vendor:
        raise BackupError(
            _(
                "%(path)s is a %(kind)s backup and cannot be restored into a %(vendor)s database. "
                "Restore it into a %(kind)s database, or move data between databases with dumpdata and loaddata."
            )
            % {"path": path, "kind": _label(kind), "vendor": _label(vendor)}
        )
    for alias in connections:
        if connections[alias].settings_dict.get("NAME") == database["NAME"]:
            connections[alias].close()
    if vendor == SQLITE:
        _sqlite_check(Path(path))
        _sqlite_copy(Path(path), Path(database["NAME"]))
    else:
        _pg_restore(database, Path(path))


def table_checksums(*, database: dict) -> dict[str, TableSummary]:
    """Every table of `database` with its row count and a checksum of its rows: equal for a
    database and its restored backup, different as soon as one value differs."""
    with database_connection(database) as connection:
        introspection = connection.introspection
        quote = connection.ops.quote_name
        result = {}
        with connection.cursor() as cursor:
            tables = sorted(introspection.table_names(cursor))
            for table in tables:
                description = introspection.get_table_description(cursor, table)
                keys = introspection.get_primary_key_columns(cursor, table) or []
                columns = ", ".join(quote(column.name) for column in description)
                order = ", ".join(quote(key) for key in keys) or ", ".join(
                    str(i) for i in range(1, len(description) + 1)
                )
                result[table] = _table_summary(connection, f"SELECT {columns} FROM {quote(table)} ORDER BY {order}")
    return result


def _table_summary(connection, query: str) -> TableSummary:
    # A server-side cursor on PostgreSQL: a table of millions of rows is read in batches.
    digest = hashlib.sha256()
    count = 0
    with connection.chunked_cursor() as cursor:
        cursor.execute(query)
        while batch := cursor.fetchmany(2000):
            for row in batch:
                digest.update(repr(tuple(_plain(value) for value in row)).encode())
                digest.update(b"\n")
            count += len(batch)
    return TableSummary(rows=count, checksum=digest.hexdigest())


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_backup(database: dict, target: Path) -> None:
    source_path = Path(database["NAME"])
    if not source_path.is_file():
        raise BackupError(_("The database file %(path)s does not exist.") % {"path": source_path})
    try:
        with closing(sqlite3.connect(source_path, timeout=20)) as source, closing(sqlite3.connect(target)) as copy:
            source.backup(copy)
            # A backup is one self-contained file, not a database with a write-ahead log beside it.
            copy.execute("PRAGMA journal_mode=DELETE")
    except sqlite3.Error as error:
        raise BackupError(_("The SQLite backup failed: %(error)s") % {"error": error}) from error
    _sqlite_check(target)


def _sqlite_check(path: Path) -> None:
    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as copy:
            outcome = copy.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as error:
        raise BackupError(_("%(path)s cannot be read: %(error)s") % {"path": path, "error": error}) from error
    if outcome != [("ok",)]:
        problems = "; ".join(str(row[0]) for row in outcome[:5])
        raise BackupError(_("%(path)s is damaged: %(error)s") % {"path": path, "error": problems})


def _sqlite_copy(backup: Path, target: Path) -> None:
    """Copy the backup's pages into the target database with the same online backup API: the
    target stays a valid database at every moment for other connections."""
    try:
        with (
            closing(sqlite3.connect(f"file:{backup}?mode=ro", uri=True)) as source,
            closing(sqlite3.connect(target, timeout=20)) as live,
        ):
            source.backup(live)
            live.execute("PRAGMA journal_mode=WAL")
    except sqlite3.Error as error:
        raise BackupError(_("The SQLite restore failed: %(error)s") % {"error": error}) from error


# --- PostgreSQL --------------------------------------------------------------------------


def _pg_dump(database: dict, target: Path) -> None:
    args = [_tool("pg_dump"), "--format=custom", "--no-password", f"--file={target}", *_pg_connection_args(database)]
    _run(args, env=_pg_env(database), tool="pg_dump")


def _pg_restore(database: dict, backup: Path) -> None:
    args = [
        _tool("pg_restore"),
        "--clean",
        "--if-exists",
        "--no-owner",
        "--single-transaction",
        "--exit-on-error",
        "--no-password",
        *_pg_connection_args(database),
        str(backup),
    ]
    _run(args, env=_pg_env(database), tool="pg_restore")


def _pg_connection_args(database: dict) -> list[str]:
    args = [f"--dbname={database['NAME']}"]
    if database.get("HOST"):
        args.append(f"--host={database['HOST']}")
    if database.get("PORT"):
        args.append(f"--port={database['PORT']}")
    if database.get("USER"):
        args.append(f"--username={database['USER']}")
    return args


def _pg_env(database: dict) -> dict:
    env = os.environ.copy()
    if database.get("PASSWORD"):
        env["PGPASSWORD"] = str(database["PASSWORD"])
    options = database.get("OPTIONS") or {}
    for option, variable in (("sslmode", "PGSSLMODE"), ("sslrootcert", "PGSSLROOTCERT")):
        if options.get(option):
            env[variable] = str(options[option])
    return env


def _tool(name: str) -> str:
    found = shutil.which(name)
    if not found:
        raise BackupError(
            _(
                "%(tool)s was not found: install the PostgreSQL client tools (the same major version as the "
                "server or newer) and make sure %(tool)s is on the PATH."
            )
            % {"tool": name}
        )
    return found


def _run(args: list[str], *, env: dict, tool: str) -> None:
    try:
        completed = subprocess.run(args, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except OSError as error:
        raise BackupError(_("%(tool)s could not be started: %(error)s") % {"tool": tool, "error": error}) from error
    if completed.returncode != 0:
        message = (completed.stderr or completed.stdout).strip() or f"exit status {completed.returncode}"
        raise BackupError(_("%(tool)s failed: %(error)s") % {"tool": tool, "error": message})


# --- helpers -----------------------------------------------------------------------------


@contextmanager
def database_connection(database: dict):
    """A Django connection of its own to `database` (which need not be in DATABASES)."""
    alias = f"__backup_{uuid.uuid4().hex}"
    wrapper = load_backend(database["ENGINE"]).DatabaseWrapper(dict(database), alias=alias)
    # Registered for this thread only: Django's own helpers (transaction.atomic) look it up by alias.
    connections[alias] = wrapper
    try:
        yield wrapper
    finally:
        wrapper.close()
        del connections[alias]


def _plain(value):
    """A value as the checksum sees it: the bytes of a memoryview, not its address."""
    return bytes(value) if isinstance(value, memoryview) else value


def _label(vendor: str) -> str:
    return {SQLITE: "SQLite", POSTGRESQL: "PostgreSQL"}.get(vendor, vendor)
