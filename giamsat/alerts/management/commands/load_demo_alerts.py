from django.core.management.base import BaseCommand

from giamsat.alerts.demo import demo_alerts_load, demo_digest_send, demo_late_reports_submit


class Command(BaseCommand):
    help = (
        "Demo: some alerts acknowledged, discussed and resolved by the demo users (after the first scan), "
        "late reports sent (one with an unusual figure) and the first digests."
    )

    def handle(self, *args, **options):
        done = demo_alerts_load()
        self.stdout.write(f"Demo alerts: {done['acknowledged']} acknowledged, {done['resolved']} resolved.")
        late = demo_late_reports_submit()
        self.stdout.write(f"Demo late reports sent this morning: {late['submitted']}.")
        digests = demo_digest_send()
        self.stdout.write(f"Demo digests: {digests['digests']} made, {digests['sent']} e-mails sent.")
