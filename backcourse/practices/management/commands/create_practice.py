"""`manage.py create_practice "Name" slug --time-zone Europe/Berlin --language de`:
a new practice with its screening questions and consent texts (practice_create)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from backcourse.clients.services import practice_create
from backcourse.practices.models import Practice


class Command(BaseCommand):
    help = "Create a practice, safe from the first minute (screening questions, consent)."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("slug")
        parser.add_argument("--time-zone", default="Europe/Berlin")
        parser.add_argument("--language", default="en")
        parser.add_argument("--email", default="")

    def handle(self, *args, **options):
        practice = Practice(
            name=options["name"],
            slug=options["slug"],
            time_zone=options["time_zone"],
            language=options["language"],
            email=options["email"],
        )
        try:
            practice.full_clean()
        except ValidationError as exc:
            raise CommandError(
                "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
            ) from exc
        practice_create(practice=practice)
        self.stdout.write(f"Created {practice.name} ({practice.slug}).")
