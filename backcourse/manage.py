"""`backcourse-manage`: Django's manage.py as an installed command."""

import os
import sys


def main() -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backcourse.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
    return 0
