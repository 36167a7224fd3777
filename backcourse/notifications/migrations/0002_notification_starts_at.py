from django.db import migrations, models


def fill_starts_at(apps, schema_editor):
    Notification = apps.get_model("notifications", "Notification")
    for note in Notification.objects.select_related("session").iterator():
        note.starts_at = note.session.starts_at
        note.save(update_fields=["starts_at"])


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="notification",
            name="starts_at",
            field=models.DateTimeField(null=True, verbose_name="session start"),
        ),
        migrations.RunPython(fill_starts_at, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="notification",
            name="starts_at",
            field=models.DateTimeField(verbose_name="session start"),
        ),
        migrations.RemoveConstraint(model_name="notification", name="notification_once"),
        migrations.AddConstraint(
            model_name="notification",
            constraint=models.UniqueConstraint(
                fields=("session", "kind", "starts_at"), name="notification_once_per_start"
            ),
        ),
    ]
