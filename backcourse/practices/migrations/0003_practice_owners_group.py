"""The "Practice owners" group: model permissions for owners using the admin of their
own practice. Existing active owners get the group and `is_staff`."""

from django.contrib.auth.management import create_permissions
from django.db import migrations


def forwards(apps, schema_editor):
    from backcourse.practices.services import owner_group_sync

    # Permissions are normally made after all migrations ran; make them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    group = owner_group_sync(apps=apps)
    StaffMember = apps.get_model("practices", "StaffMember")  # noqa: N806
    User = apps.get_model("accounts", "User")  # noqa: N806
    owner_user_ids = StaffMember.objects.filter(role="owner", is_active=True).values_list(
        "user_id", flat=True
    )
    group.user_set.add(*owner_user_ids)
    User.objects.filter(pk__in=owner_user_ids).update(is_staff=True)


def backwards(apps, schema_editor):
    Group = apps.get_model("auth", "Group")  # noqa: N806
    Group.objects.filter(name="Practice owners").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("practices", "0002_practice_settings"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("accounts", "0001_initial"),
        ("api", "0001_initial"),
        ("audit", "0001_initial"),
        ("clients", "0001_initial"),
        ("courses", "0001_initial"),
        ("measures", "0003_tension_sum_after_stress"),
        ("notifications", "0002_notification_starts_at"),
        ("portal", "0002_default_screening_questions"),
        ("records", "0001_initial"),
        ("scheduling", "0003_no_double_booking"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
