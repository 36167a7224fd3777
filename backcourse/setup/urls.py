from django.urls import path

from backcourse.closures import views as closure_views
from backcourse.setup import staff_views, views

app_name = "setup"
urlpatterns = [
    path("", views.index, name="index"),
    path("practice/", views.practice_details, name="practice"),
    path("booking/", views.online_booking, name="booking"),
    path("rooms/", views.rooms, name="rooms"),
    path("session-types/", views.session_types, name="session_types"),
    path("screening/", views.screening, name="screening"),
    path("consent/", views.consent, name="consent"),
    path("hours/", views.hours_index, name="hours_index"),
    path("hours/<int:pk>/", views.hours, name="hours"),
    path(
        "hours/<int:pk>/time-off/<int:off_pk>/delete/",
        views.time_off_delete,
        name="time_off_delete",
    ),
    path("closures/", closure_views.closures, name="closures"),
    path("closures/<int:pk>/delete/", closure_views.closure_day_delete, name="closure_day_delete"),
    path("staff/", staff_views.staff, name="staff"),
    path("staff/<int:pk>/", staff_views.staff_change, name="staff_change"),
]
