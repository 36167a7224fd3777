from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "backcourse.audit"
    label = "audit"

    def ready(self):
        from backcourse.audit import signals

        signals.connect()
