from django.urls import path

from backcourse.courses import views

app_name = "courses"
urlpatterns = [
    path("new/", views.course_new, name="create"),
    path("<int:pk>/", views.course_detail, name="detail"),
    path("<int:pk>/edit/", views.course_edit, name="edit"),
]
