from django.urls import path

from backcourse.records import views

app_name = "records"
urlpatterns = [
    path("session/<int:session_pk>/", views.record_edit, name="edit"),
]
