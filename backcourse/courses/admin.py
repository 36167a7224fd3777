from django.contrib import admin

from backcourse.courses.models import Course


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ["client", "complaint", "therapist", "phase", "status", "started_on"]
    list_filter = ["practice", "status", "phase"]
    raw_id_fields = ["client", "therapist"]
    filter_horizontal = ["target_muscles"]
