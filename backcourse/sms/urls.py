from django.urls import path

from backcourse.sms import views

app_name = "sms"
urlpatterns = [path("", views.reminder_channels, name="reminders")]
