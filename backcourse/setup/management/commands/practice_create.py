"""Open a new practice and invite its owner (who sets everything else up in Settings)."""

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.text import slugify

from backcourse.practices.models import Practice, StaffMember
from backcourse.setup import services


class Command(BaseCommand):
    help = "Create a practice and email its owner a one-time link to choose a password."

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument("--owner-email", required=True)
        parser.add_argument("--owner-first-name", default="")
        parser.add_argument("--owner-last-name", default="")
        parser.add_argument("--slug", default="")
        parser.add_argument("--time-zone", default="Europe/Berlin")
        parser.add_argument("--language", default="en")

    def handle(self, *args, **opts):
        slug = opts["slug"] or slugify(opts["name"])
        if Practice.objects.filter(slug=slug).exists():
            raise CommandError(f"A practice with the address name {slug!r} exists already.")
        with transaction.atomic():
            practice = Practice(
                name=opts["name"],
                slug=slug,
                time_zone=opts["time_zone"],
                language=opts["language"],
                online_booking=False,  # opened by the owner once hours and types are set
            )
            practice.full_clean()
            practice.save()
            try:
                services.staff_invite(
                    practice=practice,
                    email=opts["owner_email"],
                    first_name=opts["owner_first_name"],
                    last_name=opts["owner_last_name"],
                    role=StaffMember.Role.OWNER,
                    takes_sessions=True,
                )
            except services.StaffChangeRefused as exc:
                raise CommandError(exc.message) from exc
        self.stdout.write(f"Practice {practice.name} ({slug}) created; invitation sent.")
