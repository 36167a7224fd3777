"""`manage.py seed_demo`: the demo practice "Rückenwerk Demo" for trying Backcourse out."""

import time

from django.core.management.base import BaseCommand, CommandError

from backcourse.demo import build as demo
from backcourse.outcomes.services import practice_outcomes_refresh
from backcourse.practices.models import Practice


class Command(BaseCommand):
    help = (
        "Create the demo practice “Rückenwerk Demo” (slug demo) with staff, rooms, 40 "
        "clients, courses, sessions (today's day is filled) and session records. "
        f"All demo logins use the password {demo.DEMO_PASSWORD!r}."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the demo practice exists already.",
        )
        parser.add_argument(
            "--reset",
            action="store_true",
            help="Delete the demo practice and its logins first, then create it again.",
        )
        parser.add_argument(
            "--reanchor",
            action="store_true",
            help="When the demo exists and was made (or last moved) before today, move its "
            "dates forward so that its “today” is today again.",
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument(
            "--clients", type=int, default=40, help="Number of clients (default 40)."
        )

    def handle(self, *args, if_empty, reset, reanchor, seed, clients, **options):
        if clients < 1 or clients > 2000:
            raise CommandError("--clients must be between 1 and 2000.")
        if demo.demo_exists():
            if (if_empty or reanchor) and not reset:
                days = demo.demo_reanchor() if reanchor else 0
                if days:
                    self.stdout.write(f"Demo dates moved {days} days forward to today.")
                else:
                    self.stdout.write(
                        f"Demo practice “{demo.DEMO_NAME}” exists already; nothing to do."
                    )
                self._logins()
                return
            if not reset:
                raise CommandError(
                    "The demo practice exists already. Use --if-empty to keep it or "
                    "--reset to create it again."
                )
            demo.demo_delete()
        started = time.monotonic()
        summary = demo.build_demo(seed=seed, n_clients=clients)
        for line in summary.lines():
            self.stdout.write(line)
        # The demo's courses are bulk-created (no signals): store their outcome figures.
        stored = practice_outcomes_refresh(practice=Practice.objects.get(slug=demo.DEMO_SLUG))
        self.stdout.write(f"  practice priors stored for {stored['priors']} measures")
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))
        self._logins()

    def _logins(self):
        self.stdout.write("Logins, as typed:")
        for line in demo.demo_logins():
            self.stdout.write(line)
