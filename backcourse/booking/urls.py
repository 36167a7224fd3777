from django.urls import path

from backcourse.booking import views

app_name = "booking"
urlpatterns = [
    path("staff/series/<int:course_pk>/", views.series, name="series"),
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/sent/", views.sent, name="sent"),
    path("<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
]
