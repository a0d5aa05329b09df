from django.core.management.base import BaseCommand

from giamsat.alerts.demo import demo_alerts_load, demo_digest_send


class Command(BaseCommand):
    help = "Demo: some alerts acknowledged, discussed and resolved by the demo users (after the first scan)."

    def handle(self, *args, **options):
        done = demo_alerts_load()
        self.stdout.write(f"Demo alerts: {done['acknowledged']} acknowledged, {done['resolved']} resolved.")
        digests = demo_digest_send()
        self.stdout.write(f"Demo digests: {digests['digests']} made, {digests['sent']} e-mails sent.")
