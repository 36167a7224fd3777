"""Load the shipped vocabularies (see backcourse/measures/vocabulary.py)."""

from django.db import migrations

from backcourse.measures.vocabulary import vocabularies_load


def load(apps, schema_editor):
    vocabularies_load(
        apps.get_model("measures", "MeasureDefinition"),
        apps.get_model("measures", "MuscleRegion"),
        apps.get_model("measures", "Technique"),
    )


def unload(apps, schema_editor):
    for model in ("MeasureDefinition", "MuscleRegion", "Technique"):
        apps.get_model("measures", model).objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("measures", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
