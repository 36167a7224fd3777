from django.core.management.base import BaseCommand

from backcourse.security.backup import backup


class Command(BaseCommand):
    help = "Write a consistent backup of the database to FILE (pg_dump custom format or SQLite)."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database", default="default")

    def handle(self, *args, file, database, **options):
        path = backup(file, using=database)
        self.stdout.write(f"Backup written to {path} ({path.stat().st_size} bytes).")
