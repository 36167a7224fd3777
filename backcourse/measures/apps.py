from django.apps import AppConfig


class MeasuresConfig(AppConfig):
    name = "backcourse.measures"
    label = "measures"
    verbose_name = "Vocabularies: measures, regions, techniques"

    def ready(self) -> None:
        from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
        from backcourse.practices.reference import watch

        # Pages keep the vocabularies in memory until a row of them changes.
        watch(MeasureDefinition, MuscleRegion, Technique)
