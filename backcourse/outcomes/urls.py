from django.urls import path

from backcourse.outcomes import views

app_name = "outcomes"
urlpatterns = [
    path("", views.practice, name="practice"),
    path("course/<int:pk>/", views.course_effect, name="course"),
    path("course/<int:pk>/report.pdf", views.course_report, name="course_report"),
]
