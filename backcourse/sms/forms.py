from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from backcourse.sms.models import ReminderChannels
from backcourse.sms.phone import phone_normalise


class ReminderChannelsForm(forms.ModelForm):
    class Meta:
        model = ReminderChannels
        fields = ["channels", "phone"]
        widgets = {
            "channels": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        }

    def __init__(self, *args, region: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.region = region or settings.PHONE_REGION

    def clean(self):
        data = super().clean()
        phone = (data.get("phone") or "").strip()
        if phone:
            try:
                data["phone"] = phone_normalise(phone, self.region)
            except ValidationError as exc:
                self.add_error("phone", exc)
                return data
        if data.get("channels") in ("sms", "both") and not phone:
            self.add_error("phone", _("A mobile number is needed for text messages."))
        return data
