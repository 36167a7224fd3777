"""Show times in the practice's time zone.

Templates format aware datetimes in the *current* time zone (settings.TIME_ZONE is
UTC). Staff pages wrap their view in `in_practice_time` so that `{{ x|date }}` and
`{{ x|time }}` show the practice's wall-clock time.
"""

from functools import wraps

from django.utils import timezone


def in_practice_time(view):
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        practice = getattr(request, "practice", None)
        if practice is None:
            return view(request, *args, **kwargs)
        with timezone.override(practice.zone):
            return view(request, *args, **kwargs)

    return wrapper
