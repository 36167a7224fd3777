from django.contrib import admin
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from backcourse.clients.services import practice_create
from backcourse.practices.admin_scoping import PracticeScopedAdmin, PracticeScopedInline
from backcourse.practices.models import Practice, StaffMember


class StaffInline(PracticeScopedInline, admin.TabularInline):
    model = StaffMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Practice)
class PracticeAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    """An owner sees and edits their own practice only; practices are made and removed
    by a superuser."""

    practice_path = "pk"
    list_display = ["name", "slug", "time_zone", "language"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StaffInline]

    def has_add_permission(self, request):
        return request.user.is_superuser and super().has_add_permission(request)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            practice_create(practice=obj)  # with its screening questions and consent texts

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser and super().has_delete_permission(request, obj)


@admin.register(StaffMember)
class StaffMemberAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "practice", "role", "takes_sessions", "is_active"]
    list_filter = ["practice", "role"]
    raw_id_fields = ["user"]


admin.site.site_header = _("Backcourse administration")
admin.site.site_title = _("Backcourse")


def view_on_site_off(request, content_type_id, object_id):
    """The admin's "view on site" shortcut (`admin/r/<type>/<id>/`), switched off.

    No model here has a page of its own (`get_absolute_url`), so Django's shortcut could
    only ever answer 404; on the way it looks up a row of any practice by id (its
    answer differed for an id that exists) and fails with a 500 for an id that is no
    valid key of the model (a task result's UUID). Every request is the same 404."""
    raise Http404
