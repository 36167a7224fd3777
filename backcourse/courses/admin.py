from django.contrib import admin

from backcourse.courses.models import Course
from backcourse.practices.admin_scoping import PracticeScopedAdmin


@admin.register(Course)
class CourseAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    audits_health_data = True
    list_display = ["client", "complaint", "therapist", "phase", "status", "started_on"]
    list_filter = ["practice", "status", "phase"]
    raw_id_fields = ["client", "therapist"]
    filter_horizontal = ["target_muscles"]
