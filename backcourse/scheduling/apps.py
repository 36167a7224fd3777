from django.apps import AppConfig


class SchedulingConfig(AppConfig):
    name = "backcourse.scheduling"
    label = "scheduling"
