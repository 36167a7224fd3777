from django.contrib import admin

from backcourse.audit.models import AccessEvent
from backcourse.practices.admin_scoping import PracticeScopedAdmin


@admin.register(AccessEvent)
class AccessEventAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = [
        "at",
        "actor",
        "action",
        "client_ref",
        "client",
        "what",
        "channel",
        "ip_address",
    ]
    list_filter = ["action", "channel", "practice"]
    search_fields = ["actor", "what", "ip_address"]
    date_hierarchy = "at"
    audit_reads = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
