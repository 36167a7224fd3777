from django.contrib import admin

from backcourse.clients.models import Client
from backcourse.practices.admin_scoping import PracticeScopedAdmin


@admin.register(Client)
class ClientAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    audits_health_data = True
    list_display = ["full_name", "practice", "email", "phone", "is_archived"]
    list_filter = ["practice", "is_archived"]
    search_fields = ["first_name", "last_name", "email"]
    raw_id_fields = ["user"]
