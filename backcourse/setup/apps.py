from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SetupConfig(AppConfig):
    name = "backcourse.setup"
    label = "practice_setup"
    verbose_name = _("Practice set-up")
