"""manage.py restore PATH --yes: replace the database's contents with a backup."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from giamsat.core.backup import BackupError, backup_kind, database_restore, database_settings, table_checksums


class Command(BaseCommand):
    help = (
        "Replace the database's contents with a backup made by manage.py backup (of the same kind of "
        "database). Stop the web server and the worker first."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The backup file.")
        parser.add_argument("--yes", action="store_true", help="Do not ask: replace the data.")
        parser.add_argument(
            "--checksums", action="store_true", help="After restoring, list every table's rows and checksum."
        )
        parser.add_argument("--database", default="default", help="The DATABASES entry (default: default).")
        parser.add_argument("--language", choices=["vi", "en"], help="Language of the messages (default: Vietnamese).")

    def handle(self, *args, path, yes=False, checksums=False, database="default", language=None, **options):
        with translation.override(language or settings.LANGUAGE_CODE):
            settings_dict = database_settings(database)
            try:
                backup_kind(path)
            except BackupError as error:
                raise CommandError(str(error)) from error
            if not yes and not self._confirmed(settings_dict["NAME"], path):
                raise CommandError(_("Nothing restored: run again with --yes to replace the data."))
            try:
                database_restore(database=settings_dict, path=path)
                summaries = table_checksums(database=settings_dict) if checksums else {}
            except BackupError as error:
                raise CommandError(str(error)) from error
            self.stdout.write(_("Restored %(path)s into %(name)s.") % {"path": path, "name": settings_dict["NAME"]})
            for table, summary in summaries.items():
                self.stdout.write(f"{table}\t{summary.rows}\t{summary.checksum}")

    def _confirmed(self, name: str, path: str) -> bool:
        if not sys.stdin.isatty():
            return False
        answer = input(
            _("Every row of %(name)s will be replaced by the contents of %(path)s. Type “yes” to go on: ")
            % {"name": name, "path": path}
        )
        return answer.strip().lower() in {"yes", "có", "co"}
