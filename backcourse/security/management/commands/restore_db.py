import dj_database_url
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from backcourse.security.backup import restore


class Command(BaseCommand):
    help = (
        "Restore a backup FILE into an empty database: the configured one, or the one "
        "given with --database-url (e.g. a fresh database to check a backup)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument("--database-url", default="")

    def handle(self, *args, file, database_url, **options):
        target = (
            dj_database_url.parse(database_url) if database_url else settings.DATABASES["default"]
        )
        try:
            restore(file, settings_dict=target)
        except Exception as exc:  # pg_restore / sqlite errors, shown plainly
            raise CommandError(f"Restore failed: {exc}") from exc
        self.stdout.write(f"Restored {file} into {target['NAME']}.")
