from django.apps import AppConfig


class SecurityConfig(AppConfig):
    """Safety nets (middleware, limits, redirects) and the backup/restore commands."""

    name = "backcourse.security"
    label = "security"
