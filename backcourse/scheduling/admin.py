from django.contrib import admin

from backcourse.scheduling.models import Room, Session


@admin.register(Room)
class RoomAdmin(admin.ModelAdmin):
    list_display = ["name", "practice", "is_active"]
    list_filter = ["practice"]


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = ["starts_at", "client", "therapist", "room", "status"]
    list_filter = ["practice", "status"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["client", "course", "therapist"]
