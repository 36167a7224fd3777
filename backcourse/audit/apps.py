from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "backcourse.audit"
    label = "audit"
