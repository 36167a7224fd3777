from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "backcourse.measures"
    label = "measures"
    verbose_name = "Vocabularies: measures, regions, techniques"

    def ready(self) -> None:
        from backcourse.measures.models import MeasureDefinition
        from backcourse.practices.reference import watch

        watch(MeasureDefinition)  # pages keep the measures in memory until one changes
