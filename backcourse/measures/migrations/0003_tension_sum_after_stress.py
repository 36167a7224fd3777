"""The course table lists measures in their order: put the tension sum (palpation)
between the 0–10 ratings and the ranges of motion, unless a practice reordered it."""

from django.db import migrations


def forwards(apps, schema_editor):
    MeasureDefinition = apps.get_model("measures", "MeasureDefinition")
    MeasureDefinition.objects.filter(code="tension_sum", order=60).update(order=25)


class Migration(migrations.Migration):
    dependencies = [("measures", "0002_load_vocabularies")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
