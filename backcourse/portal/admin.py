from django.contrib import admin

from backcourse.clients.models import (
    ConsentRecord,
    ConsentText,
    Intake,
    ScreeningAnswer,
    ScreeningQuestion,
)
from backcourse.portal.models import CheckIn, ErasureRequest, FollowUp, QuestionnaireResponse
from backcourse.practices.admin_scoping import PracticeScopedAdmin, PracticeScopedInline


@admin.register(ScreeningQuestion)
class ScreeningQuestionAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["text", "kind", "practice", "is_active", "order"]
    list_filter = ["practice", "kind", "is_active"]
    list_editable = ["is_active", "order"]


@admin.register(ConsentText)
class ConsentTextAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["practice", "kind", "version", "published_at"]
    list_filter = ["practice", "kind"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "client__practice"
    list_display = ["client", "text", "agreed_at", "via", "recorded_by"]
    readonly_fields = ["client", "text", "agreed_at", "via", "recorded_by"]


class ScreeningAnswerInline(PracticeScopedInline, admin.TabularInline):
    model = ScreeningAnswer
    extra = 0
    readonly_fields = ["question_text", "kind", "answer", "advice"]
    exclude = ["question"]


@admin.register(Intake)
class IntakeAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    audits_health_data = True
    practice_path = "client__practice"
    list_display = ["client", "complaint", "submitted_at"]
    inlines = [ScreeningAnswerInline]


@admin.register(CheckIn, FollowUp)
class SessionFormAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    audits_health_data = True
    practice_path = "session__practice"


@admin.register(QuestionnaireResponse)
class QuestionnaireResponseAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    audits_health_data = True
    practice_path = "client__practice"


@admin.register(ErasureRequest)
class ErasureRequestAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["client_name", "practice", "requested_at", "status"]
    list_filter = ["status"]
