"""`manage.py invite_staff SLUG EMAIL --role owner`: email someone a one-time link to
join a practice (e.g. the owner of a practice just made with create_practice)."""

from django.core.management.base import BaseCommand, CommandError

from backcourse.practices.models import Practice, StaffMember
from backcourse.setup import services


class Command(BaseCommand):
    help = "Invite a colleague (or a new practice's owner) by email with a role."

    def add_arguments(self, parser):
        parser.add_argument("slug")
        parser.add_argument("email")
        parser.add_argument("--role", default="therapist", choices=StaffMember.Role.values)
        parser.add_argument("--first-name", default="")
        parser.add_argument("--last-name", default="")
        parser.add_argument("--no-sessions", action="store_true", help="does not take sessions")

    def handle(self, *args, **opts):
        practice = Practice.objects.filter(slug=opts["slug"]).first()
        if practice is None:
            raise CommandError(f"No practice with the address name {opts['slug']!r}.")
        try:
            services.staff_invite(
                practice=practice,
                email=opts["email"],
                first_name=opts["first_name"],
                last_name=opts["last_name"],
                role=opts["role"],
                takes_sessions=not opts["no_sessions"],
            )
        except services.StaffChangeRefused as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(f"Invitation sent to {opts['email']}.")
