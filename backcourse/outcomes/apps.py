from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "backcourse.outcomes"
    label = "outcomes"

    def ready(self) -> None:
        from backcourse.outcomes import signals  # noqa: F401 - connects the receivers
