from django.contrib import admin

from backcourse.api.models import ApiToken
from backcourse.practices.admin_scoping import PracticeScopedAdmin


@admin.register(ApiToken)
class ApiTokenAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "staff__practice"
    list_display = ["name", "staff", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["staff__practice"]
    readonly_fields = ["prefix", "created_at", "last_used_at"]
    fields = ["staff", "name", "prefix", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request) -> bool:
        # Created on the staff page, where the token is shown once.
        return False
