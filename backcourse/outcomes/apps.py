from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "backcourse.outcomes"
    label = "outcomes"
