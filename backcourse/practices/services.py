"""Practice owners and the admin: an owner StaffMember gets `is_staff` and the
"Practice owners" group (model permissions), and loses both when no longer an owner.

What the admin then shows them is narrowed to their practice by
backcourse/practices/admin_scoping.py.
"""

from typing import Any

from django.db import transaction

from backcourse.practices.models import StaffMember

OWNER_GROUP = "Practice owners"

ALL = ("add", "change", "delete", "view")
# app_label.model -> actions the owner group may do. Vocabularies: view only.
OWNER_PERMISSIONS: dict[str, tuple[str, ...]] = {
    "practices.practice": ("change", "view"),
    "practices.staffmember": ALL,
    "clients.client": ALL,
    "courses.course": ALL,
    "scheduling.room": ALL,
    "scheduling.sessiontype": ALL,
    "scheduling.workinghours": ALL,
    "scheduling.break": ALL,
    "scheduling.timeoff": ALL,
    "scheduling.session": ALL,
    "scheduling.pendingbooking": ("change", "delete", "view"),
    "records.sessionrecord": ALL,
    "records.measurement": ALL,
    "records.tensionreading": ALL,
    "clients.screeningquestion": ALL,
    "clients.consenttext": ALL,
    "clients.consentrecord": ("view",),
    "clients.intake": ("change", "view"),
    "clients.screeninganswer": ("view",),
    "portal.checkin": ALL,
    "portal.followup": ALL,
    "portal.questionnaireresponse": ALL,
    "portal.erasurerequest": ("change", "view"),
    "notifications.notification": ("view",),
    "notifications.calendarfeed": ("change", "delete", "view"),
    "api.apitoken": ("change", "delete", "view"),
    "audit.accessevent": ("view",),
    "billing.billingsettings": ("add", "change", "view"),
    "billing.price": ALL,
    "billing.voucher": ALL,
    "billing.package": ("view",),
    "billing.invoice": ("view",),
    "billing.payment": ("view",),
    "billing.feeproposal": ("view",),
    "measures.measuredefinition": ("view",),
    "measures.muscleregion": ("view",),
    "measures.technique": ("view",),
}


def owner_group_sync(*, apps: Any = None) -> Any:
    """Create the owner group if missing and give it the permissions above (adds only;
    what a superuser added by hand stays). `apps` is a migration's app registry."""
    if apps is None:
        from django.apps import apps
    Group = apps.get_model("auth", "Group")  # noqa: N806
    Permission = apps.get_model("auth", "Permission")  # noqa: N806
    group, _ = Group.objects.get_or_create(name=OWNER_GROUP)
    wanted = Permission.objects.none()
    for label, actions in OWNER_PERMISSIONS.items():
        app_label, model = label.split(".")
        wanted = wanted | Permission.objects.filter(
            content_type__app_label=app_label,
            content_type__model=model,
            codename__in=[f"{action}_{model}" for action in actions],
        )
    group.permissions.add(*wanted)
    return group


def owner_group() -> Any:
    from django.contrib.auth.models import Group

    group = Group.objects.filter(name=OWNER_GROUP).first()
    return group if group is not None else owner_group_sync()


@transaction.atomic
def staff_member_admin_access_sync(*, staff: StaffMember) -> None:
    """An active owner may sign in to the admin (is_staff + owner group); anyone else
    not (superusers keep is_staff)."""
    user = staff.user
    group = owner_group()
    if staff.is_active and staff.role == StaffMember.Role.OWNER:
        user.groups.add(group)
        if not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
    else:
        user.groups.remove(group)
        if user.is_staff and not user.is_superuser:
            user.is_staff = False
            user.save(update_fields=["is_staff"])


@transaction.atomic
def staff_member_make_owner(*, staff: StaffMember) -> StaffMember:
    """Make `staff` an owner of their practice, with access to its admin."""
    staff.role = StaffMember.Role.OWNER
    staff.is_active = True
    staff.save(update_fields=["role", "is_active"])  # the post_save signal syncs access
    staff_member_admin_access_sync(staff=staff)
    return staff
