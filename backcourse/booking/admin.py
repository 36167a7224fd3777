from django.contrib import admin

from backcourse.booking.models import SessionTypeInfo, TherapistProfile
from backcourse.practices.admin_scoping import PracticeScopedAdmin


@admin.register(TherapistProfile)
class TherapistProfileAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "staff__practice"
    list_display = ["staff", "bio"]


@admin.register(SessionTypeInfo)
class SessionTypeInfoAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "session_type__practice"
    list_display = ["session_type", "description"]
