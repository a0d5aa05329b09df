"""Backup and restore: the test database comes back exactly (rows and a checksum per table).

Restores go into a scratch copy (a file, or the database `<test database>_restore`), never into
the test database that the other tests of this worker share."""

import io
import shutil
import sqlite3
from contextlib import closing

import pytest
from django.core.management import CommandError, call_command

from giamsat.core.backup import (
    PG_DUMP_HEADER,
    POSTGRESQL,
    SQLITE,
    SQLITE_HEADER,
    BackupError,
    database_backup,
    database_connection,
    database_restore,
    database_settings,
    database_vendor,
    table_checksums,
)

PG_ENGINE = "django.db.backends.postgresql"
SQLITE_ENGINE = "django.db.backends.sqlite3"


def in_use(vendor: str) -> dict:
    database = database_settings()
    if database_vendor(database) != vendor:
        pytest.skip(f"the test database is not {vendor}")
    return database


@pytest.mark.django_db
def test_sqlite_round_trip_gives_back_every_table_exactly(tmp_path):
    database = in_use(SQLITE)
    before = table_checksums(database=database)
    assert before["orgunits_orgunit"].rows > 0 and before["accounts_user"].rows > 0
    backup = database_backup(database=database, path=tmp_path / "giamsat.sqlite3").path

    scratch = dict(database, NAME=str(tmp_path / "scratch.sqlite3"))
    shutil.copyfile(backup, scratch["NAME"])
    with closing(sqlite3.connect(scratch["NAME"])) as changed:
        changed.execute(
            "UPDATE orgunits_orgunit SET name_en = 'changed' WHERE id = (SELECT MIN(id) FROM orgunits_orgunit)"
        )
        changed.execute("DELETE FROM accounts_user WHERE id = (SELECT MAX(id) FROM accounts_user)")
        changed.commit()
    after_change = table_checksums(database=scratch)
    assert after_change["orgunits_orgunit"].rows == before["orgunits_orgunit"].rows
    assert after_change["orgunits_orgunit"].checksum != before["orgunits_orgunit"].checksum
    assert after_change["accounts_user"].rows == before["accounts_user"].rows - 1

    database_restore(database=scratch, path=backup)
    assert table_checksums(database=scratch) == before


@pytest.mark.django_db
def test_postgresql_round_trip_gives_back_every_table_exactly(tmp_path):
    database = in_use(POSTGRESQL)
    before = table_checksums(database=database)
    assert before["orgunits_orgunit"].rows > 0 and before["accounts_user"].rows > 0
    backup = database_backup(database=database, path=tmp_path / "giamsat.dump").path

    scratch = dict(database, NAME=f"{database['NAME']}_restore")
    with database_connection(dict(database, NAME="postgres")) as admin, admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{scratch["NAME"]}"')
        cursor.execute(f'CREATE DATABASE "{scratch["NAME"]}"')
    try:
        database_restore(database=scratch, path=backup)
        assert table_checksums(database=scratch) == before

        # Restoring over changed data (--clean) gives the same result again.
        with database_connection(scratch) as changed, changed.cursor() as cursor:
            cursor.execute("UPDATE orgunits_orgunit SET name_en = name_en || ' (changed)'")
        assert table_checksums(database=scratch)["orgunits_orgunit"] != before["orgunits_orgunit"]
        database_restore(database=scratch, path=backup)
        assert table_checksums(database=scratch) == before
    finally:
        with database_connection(dict(database, NAME="postgres")) as admin, admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch["NAME"]}" WITH (FORCE)')


@pytest.mark.django_db
def test_backup_command_writes_a_timestamped_file_under_var_backups(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    call_command("backup", "--verify", stdout=(out := io.StringIO()))
    [written] = (tmp_path / "backups").iterdir()
    assert written.name.startswith("giamsat-20") and written.suffix in {".sqlite3", ".dump"}
    assert written.stat().st_mode & 0o777 == 0o600
    assert str(written) in out.getvalue()
    with pytest.raises(CommandError):  # never overwrites
        call_command("backup", str(written), stdout=io.StringIO())


@pytest.mark.parametrize(
    "engine, header, kind",
    [(PG_ENGINE, SQLITE_HEADER, "SQLite"), (SQLITE_ENGINE, PG_DUMP_HEADER, "PostgreSQL")],
)
def test_restore_refuses_a_backup_of_the_other_kind(tmp_path, engine, header, kind):
    backup = tmp_path / "backup"
    backup.write_bytes(header + b"\0" * 100)
    with pytest.raises(BackupError) as refused:
        database_restore(database={"ENGINE": engine, "NAME": str(tmp_path / "untouched")}, path=backup)
    assert str(refused.value).count(kind) >= 2  # the backup's kind, and where to restore it instead
    assert not (tmp_path / "untouched").exists()


def test_restore_refuses_a_missing_or_foreign_file(tmp_path):
    database = {"ENGINE": SQLITE_ENGINE, "NAME": str(tmp_path / "untouched")}
    with pytest.raises(BackupError, match="missing.sqlite3"):
        database_restore(database=database, path=tmp_path / "missing.sqlite3")
    (tmp_path / "notes.txt").write_text("not a backup")
    with pytest.raises(BackupError, match="notes.txt"):
        database_restore(database=database, path=tmp_path / "notes.txt")


def test_backup_without_pg_dump_says_so_and_leaves_no_file(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match="pg_dump"):
        database_backup(database={"ENGINE": PG_ENGINE, "NAME": "giamsat"}, path=tmp_path / "b.dump")
    assert list(tmp_path.iterdir()) == []


def test_restore_command_asks_for_yes(tmp_path):
    backup = tmp_path / "backup.sqlite3"
    with closing(sqlite3.connect(backup)) as db:
        db.execute("CREATE TABLE t (x)")
    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(backup), stdout=io.StringIO())
    with pytest.raises(CommandError, match="missing"):
        call_command("restore", str(tmp_path / "missing"), "--yes", stdout=io.StringIO())
