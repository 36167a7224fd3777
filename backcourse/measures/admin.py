from django.contrib import admin

from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
from backcourse.practices.admin_scoping import GlobalVocabularyAdmin


@admin.register(MeasureDefinition)
class MeasureDefinitionAdmin(GlobalVocabularyAdmin, admin.ModelAdmin):
    list_display = [
        "name",
        "code",
        "kind",
        "unit",
        "min_value",
        "max_value",
        "lower_is_better",
        "is_active",
    ]
    list_editable = ["is_active"]


@admin.register(MuscleRegion)
class MuscleRegionAdmin(GlobalVocabularyAdmin, admin.ModelAdmin):
    list_display = ["muscle", "side", "code", "order", "is_active"]
    list_filter = ["side", "is_active"]


@admin.register(Technique)
class TechniqueAdmin(GlobalVocabularyAdmin, admin.ModelAdmin):
    list_display = ["name", "code", "order", "is_active"]
