"""Keep an owner's admin access in step with their StaffMember row, and the practice's
reference data (practices/reference.py: its staff, which pages keep in memory) in step
with its staff and their names."""

from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver

from backcourse.accounts.models import User
from backcourse.practices.models import StaffMember
from backcourse.practices.reference import reference_changed, watch

watch(StaffMember)  # a colleague joins, leaves, is renamed or stops taking sessions

# A login (last_login) or a new password does not change a name.
_NAMELESS_USER_FIELDS = frozenset({"last_login", "password"})


@receiver(post_save, sender=User, dispatch_uid="practices_staff_name_changed")
def _staff_name_changed(sender, instance: User, raw: bool = False, update_fields=None, **kwargs):
    """A user's first, last or user name is part of their staff name (StaffMember.name)."""
    if raw or (update_fields is not None and set(update_fields) <= _NAMELESS_USER_FIELDS):
        return
    for practice_id in StaffMember.objects.filter(user=instance).values_list(
        "practice_id", flat=True
    ):
        reference_changed(practice_id)


@receiver(post_save, sender=StaffMember, dispatch_uid="practices_owner_access_save")
def _owner_access_on_save(sender, instance: StaffMember, raw: bool = False, **kwargs) -> None:
    if raw:  # loading fixtures
        return
    from backcourse.practices.services import staff_member_admin_access_sync

    staff_member_admin_access_sync(staff=instance)


@receiver(post_delete, sender=StaffMember, dispatch_uid="practices_owner_access_delete")
def _owner_access_on_delete(sender, instance: StaffMember, **kwargs) -> None:
    from backcourse.practices.services import OWNER_GROUP

    # Querysets, not instance.save(): the user may be on its way out too.
    users = User.objects.filter(pk=instance.user_id)
    for user in users:
        user.groups.remove(*user.groups.filter(name=OWNER_GROUP))
    users.filter(is_superuser=False).update(is_staff=False)


@receiver(post_migrate, dispatch_uid="practices_owner_group")
def _owner_group_after_migrate(sender, **kwargs) -> None:
    """Permissions are made after migrations; give the owner group any new ones."""
    from backcourse.practices.services import owner_group_sync

    owner_group_sync()
