from django.contrib import admin

from backcourse.practices.admin_scoping import PracticeScopedAdmin
from backcourse.scheduling.models import Room, Session


@admin.register(Room)
class RoomAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "practice", "is_active"]
    list_filter = ["practice"]


@admin.register(Session)
class SessionAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["starts_at", "client", "therapist", "room", "status"]
    list_filter = ["practice", "status"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["client", "course", "therapist"]
    # A session's status changes only through scheduling/services.py (the transition
    # table, the billing hook): the day view and the session's change page.
    readonly_fields = ["status", "overrides", "overridden_by"]


# --- Hours, session types, time off (scheduling engineer; append-only) ---------------
from backcourse.scheduling.models import (  # noqa: E402
    Break,
    PendingBooking,
    SessionType,
    TimeOff,
    WorkingHours,
)


@admin.register(SessionType)
class SessionTypeAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "practice", "duration_minutes", "buffer_minutes", "bookable_online"]
    list_filter = ["practice"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "therapist__practice"
    list_display = ["therapist", "weekday", "start_time", "end_time"]
    list_filter = ["therapist__practice", "weekday"]


@admin.register(Break)
class BreakAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "therapist__practice"
    list_display = ["therapist", "weekday", "start_time", "end_time"]
    list_filter = ["therapist__practice", "weekday"]


@admin.register(TimeOff)
class TimeOffAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "therapist__practice"
    list_display = ["therapist", "starts_at", "ends_at", "reason"]
    list_filter = ["therapist__practice"]


@admin.register(PendingBooking)
class PendingBookingAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["email", "practice", "starts_at", "created_at", "confirmed_at"]
    list_filter = ["practice"]
    readonly_fields = ["nonce", "session"]
