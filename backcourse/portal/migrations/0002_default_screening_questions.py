"""Give every existing practice the default red-flag and contraindication questions.
New practices get them from `portal.screening.screening_questions_default`."""

from django.db import migrations


def load(apps, schema_editor):
    from backcourse.clients.screening import screening_questions_default

    Practice = apps.get_model("practices", "Practice")
    ScreeningQuestion = apps.get_model("portal", "ScreeningQuestion")
    for practice in Practice.objects.all():
        screening_questions_default(practice, models=ScreeningQuestion)


class Migration(migrations.Migration):
    dependencies = [("portal", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
