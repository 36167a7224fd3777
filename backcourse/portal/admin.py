from django.contrib import admin

from backcourse.portal.models import (
    CheckIn,
    ConsentRecord,
    ConsentText,
    ErasureRequest,
    FollowUp,
    Intake,
    QuestionnaireResponse,
    ScreeningAnswer,
    ScreeningQuestion,
)


@admin.register(ScreeningQuestion)
class ScreeningQuestionAdmin(admin.ModelAdmin):
    list_display = ["text", "kind", "practice", "is_active", "order"]
    list_filter = ["practice", "kind", "is_active"]
    list_editable = ["is_active", "order"]


@admin.register(ConsentText)
class ConsentTextAdmin(admin.ModelAdmin):
    list_display = ["practice", "kind", "version", "published_at"]
    list_filter = ["practice", "kind"]


@admin.register(ConsentRecord)
class ConsentRecordAdmin(admin.ModelAdmin):
    list_display = ["client", "text", "agreed_at", "via", "recorded_by"]
    readonly_fields = ["client", "text", "agreed_at", "via", "recorded_by"]


class ScreeningAnswerInline(admin.TabularInline):
    model = ScreeningAnswer
    extra = 0
    readonly_fields = ["question_text", "kind", "answer", "advice"]
    exclude = ["question"]


@admin.register(Intake)
class IntakeAdmin(admin.ModelAdmin):
    list_display = ["client", "complaint", "submitted_at"]
    inlines = [ScreeningAnswerInline]


admin.site.register(CheckIn)
admin.site.register(FollowUp)
admin.site.register(QuestionnaireResponse)


@admin.register(ErasureRequest)
class ErasureRequestAdmin(admin.ModelAdmin):
    list_display = ["client_name", "practice", "requested_at", "status"]
    list_filter = ["status"]
