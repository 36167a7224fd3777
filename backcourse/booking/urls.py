from django.urls import path

from backcourse.booking import views

app_name = "booking"
urlpatterns = [
    # staff
    path("staff/series/<int:course_pk>/", views.series, name="series"),
    path("staff/sessions/<int:pk>/change/", views.session_change, name="session_change"),
    # public, per practice
    path("<slug:slug>/", views.start, name="start"),
    path("<slug:slug>/sent/", views.sent, name="sent"),
    path("<slug:slug>/manifest.webmanifest", views.manifest, name="manifest"),
    path("<slug:slug>/confirm/<str:token>/", views.confirm, name="confirm"),
    path("<slug:slug>/booking/<str:token>/", views.manage_view, name="manage"),
    path("<slug:slug>/booking/<str:token>/session.ics", views.manage_ics, name="manage_ics"),
    path("<slug:slug>/booking/<str:token>/forms/", views.manage_forms, name="manage_forms"),
]
