"""Enqueue one reminder scan for the worker. Run it from cron or a systemd timer every few
minutes (see README, "Background worker")."""

from django.core.management.base import BaseCommand
from django_tasks_db.models import DBTaskResult

from backcourse.notifications import services
from backcourse.notifications.tasks import reminders_send_due


class Command(BaseCommand):
    help = "Enqueue a scan for due reminders (or run it here with --now)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--now",
            action="store_true",
            help="Run the scan in this process instead of enqueuing it for the worker.",
        )

    def handle(self, *args, now: bool = False, **options):
        if now:
            counts = services.reminders_send_due()
            self.stdout.write(f"sent {counts}")
            return
        task_path = f"{reminders_send_due.func.__module__}.{reminders_send_due.func.__qualname__}"
        # If the worker is down, cron would pile up identical scans; one waiting is enough.
        if DBTaskResult.objects.ready().filter(task_path=task_path).exists():
            self.stdout.write("a reminder scan is already waiting for the worker")
            return
        result = reminders_send_due.enqueue()
        self.stdout.write(f"enqueued reminder scan {result.id}")
