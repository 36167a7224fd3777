from django.contrib import admin

from backcourse.audit.models import AccessEvent
from backcourse.practices.admin_scoping import PracticeScopedAdmin


@admin.register(AccessEvent)
class AccessEventAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["at", "user", "action", "client", "what", "ip_address"]
    list_filter = ["action", "practice"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
