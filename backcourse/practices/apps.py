from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "backcourse.practices"
    label = "practices"
