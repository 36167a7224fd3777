"""`manage.py outcomes_refresh [--practice SLUG]`: recompute the stored practice priors and
course summaries (after an upgrade, or for practices whose courses completed before
they were stored)."""

import time

from django.core.management.base import BaseCommand, CommandError

from backcourse.outcomes.services import practice_outcomes_refresh
from backcourse.practices.models import Practice


class Command(BaseCommand):
    help = "Recompute the stored practice priors and completed-course summaries."

    def add_arguments(self, parser):
        parser.add_argument("--practice", help="Only this practice (its slug).")

    def handle(self, *args, practice: str | None = None, **options):
        practices = Practice.objects.order_by("pk")
        if practice:
            practices = practices.filter(slug=practice)
            if not practices.exists():
                raise CommandError(f"No practice with the slug “{practice}”.")
        for p in practices:
            started = time.monotonic()
            done = practice_outcomes_refresh(practice=p)
            self.stdout.write(
                f"{p.slug}: {done['summaries']} completed courses summarised, "
                f"priors stored for {done['priors']} measures "
                f"({time.monotonic() - started:.1f} s)"
            )
