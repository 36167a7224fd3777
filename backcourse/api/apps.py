from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "backcourse.api"
    label = "api"
