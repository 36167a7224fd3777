from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo practice (`manage.py seed_demo`). It sits above every other app and only
    writes through their models and services; nothing imports it."""

    name = "backcourse.demo"
    label = "demo"
