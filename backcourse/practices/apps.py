from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "backcourse.practices"
    label = "practices"

    def ready(self) -> None:
        from backcourse.practices import signals  # noqa: F401
