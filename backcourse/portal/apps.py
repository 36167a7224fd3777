from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "backcourse.portal"
    label = "portal"
