from django.contrib import admin

from backcourse.practices.admin_scoping import PracticeScopedAdmin, PracticeScopedInline
from backcourse.records.models import Measurement, SessionRecord, TensionReading


class MeasurementInline(PracticeScopedInline, admin.TabularInline):
    model = Measurement
    extra = 0


class TensionInline(PracticeScopedInline, admin.TabularInline):
    model = TensionReading
    extra = 0


@admin.register(SessionRecord)
class SessionRecordAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    audits_health_data = True
    practice_path = "session__practice"
    list_display = ["session", "pressure", "updated_at", "version"]
    raw_id_fields = ["session"]
    inlines = [MeasurementInline, TensionInline]
    filter_horizontal = ["techniques", "muscles_treated"]
