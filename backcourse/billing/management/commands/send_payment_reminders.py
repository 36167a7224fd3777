"""Queue the overdue-invoice reminder scan (run daily from cron); `--now` runs it here."""

from django.core.management.base import BaseCommand

from backcourse.billing.tasks import overdue_reminders_send


class Command(BaseCommand):
    help = "Remind clients of overdue invoices (each invoice once)."

    def add_arguments(self, parser):
        parser.add_argument("--now", action="store_true", help="Run the scan in this process.")

    def handle(self, *args, now=False, **options):
        if now:
            sent = overdue_reminders_send.call()
            self.stdout.write(f"sent {sent} payment reminders")
        else:
            result = overdue_reminders_send.enqueue()
            self.stdout.write(f"enqueued payment reminder scan {result.id}")
