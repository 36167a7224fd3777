from django.urls import path

from backcourse.scheduling import views

app_name = "scheduling"
urlpatterns = [
    path("today/", views.day, name="day"),
    path("week/", views.week, name="week"),
    path("sessions/new/", views.session_new, name="session_create"),
    path("sessions/<int:pk>/status/", views.session_status, name="session_status"),
]
