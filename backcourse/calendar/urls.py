from django.urls import path

from backcourse.calendar import views

app_name = "calendar"
urlpatterns = [
    path("", views.calendar_page, name="page"),
    path("events/", views.events, name="events"),
    path("book/", views.book, name="book"),
    path("sessions/<int:pk>/move/", views.move, name="move"),
    path("clients/<int:pk>/courses/", views.client_courses, name="client_courses"),
]
