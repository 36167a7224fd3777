from django.core.management.base import BaseCommand

from backcourse.portal.services import followups_send


class Command(BaseCommand):
    help = (
        'Email the one-tap "how is it now?" question for sessions held yesterday (in each '
        "practice's time zone). Safe to run as often as you like: one per session."
    )

    def add_arguments(self, parser):
        parser.add_argument("--base-url", default=None, help="Site address for the links.")

    def handle(self, *args, base_url=None, **options):
        sent = followups_send(base_url=base_url)
        self.stdout.write(f"Sent {sent} follow-up question(s).")
