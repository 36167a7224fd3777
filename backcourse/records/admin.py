from django.contrib import admin

from backcourse.records.models import Measurement, SessionRecord, TensionReading


class MeasurementInline(admin.TabularInline):
    model = Measurement
    extra = 0


class TensionInline(admin.TabularInline):
    model = TensionReading
    extra = 0


@admin.register(SessionRecord)
class SessionRecordAdmin(admin.ModelAdmin):
    list_display = ["session", "pressure", "updated_at", "version"]
    raw_id_fields = ["session"]
    inlines = [MeasurementInline, TensionInline]
    filter_horizontal = ["techniques", "muscles_treated"]
