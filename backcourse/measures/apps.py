from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "backcourse.measures"
    label = "measures"
    verbose_name = "Vocabularies: measures, regions, techniques"
