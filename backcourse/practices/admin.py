from django.contrib import admin

from backcourse.practices.models import Practice, StaffMember


class StaffInline(admin.TabularInline):
    model = StaffMember
    extra = 0
    raw_id_fields = ["user"]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "time_zone", "language"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [StaffInline]


@admin.register(StaffMember)
class StaffMemberAdmin(admin.ModelAdmin):
    list_display = ["name", "practice", "role", "takes_sessions", "is_active"]
    list_filter = ["practice", "role"]
    raw_id_fields = ["user"]
