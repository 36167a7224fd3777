from django.contrib import admin

from backcourse.notifications.models import CalendarFeed, Notification
from backcourse.practices.admin_scoping import PracticeScopedAdmin


@admin.register(Notification)
class NotificationAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["claimed_at", "kind", "session", "recipient", "status", "attempts", "sent_at"]
    list_filter = ["kind", "status", "practice"]
    raw_id_fields = ["session"]
    readonly_fields = ["claimed_at", "sent_at", "attempts", "last_error"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["__str__", "created_at", "expires_at", "revoked_at", "last_used_at"]
    list_filter = ["practice"]
    raw_id_fields = ["staff", "client"]
    exclude = ["token"]
