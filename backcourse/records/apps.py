from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "backcourse.records"
    label = "records"
