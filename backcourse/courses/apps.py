from django.apps import AppConfig


class CoursesConfig(AppConfig):
    name = "backcourse.courses"
    label = "courses"
