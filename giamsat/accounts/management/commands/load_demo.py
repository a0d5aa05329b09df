"""Create the demo users, one per role, and print their logins (idempotent)."""

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from giamsat.accounts.demo import DEMO_PASSWORD, demo_users_load


class Command(BaseCommand):
    help = "Create or reset the demo users (one per role) and print their logins."

    def handle(self, *args, **options):
        translation.activate("vi")
        try:
            rows = demo_users_load()
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD})")
        width = max(len(r[0]) for r in rows)
        for username, role, home in rows:
            self.stdout.write(f"  {username.ljust(width)}  {role} — {home}")
