from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "backcourse.billing"
    verbose_name = _("Billing")

    def ready(self) -> None:
        from backcourse.billing import receivers  # noqa: F401 (connects the session hook)
