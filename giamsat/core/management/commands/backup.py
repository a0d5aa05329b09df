"""manage.py backup [PATH]: a backup of the database, safe while the server runs."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from giamsat.core.backup import BackupError, backup_verify, database_backup, database_settings


class Command(BaseCommand):
    help = (
        "Back up the database to a file: SQLite with its online backup API, PostgreSQL with pg_dump -Fc. "
        "Default: var/backups/giamsat-<date>-<time>.sqlite3 (or .dump)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="The file to write (must not exist).")
        parser.add_argument("--verify", action="store_true", help="Read the file back to check it.")
        parser.add_argument("--database", default="default", help="The DATABASES entry (default: default).")
        parser.add_argument("--language", choices=["vi", "en"], help="Language of the messages (default: Vietnamese).")

    def handle(self, *args, path=None, verify=False, database="default", language=None, **options):
        with translation.override(language or settings.LANGUAGE_CODE):
            try:
                result = database_backup(database=database_settings(database), path=path)
                if verify:
                    backup_verify(path=result.path)
            except BackupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(
                _("Backup written: %(path)s (%(size)s bytes, %(seconds).1f s).")
                % {"path": result.path, "size": result.size, "seconds": result.seconds}
            )
            if verify:
                self.stdout.write(_("The backup file was read back without error."))
