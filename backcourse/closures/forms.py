from django import forms
from django.utils.translation import gettext_lazy as _

from backcourse.closures.days import supported_countries, supported_subdivisions
from backcourse.closures.models import ClosureDay
from backcourse.practices.models import Practice
from backcourse.security.limits import limited_formfield


class HolidayRegionForm(forms.ModelForm):
    """The practice's country and region, for its public holidays."""

    country = forms.ChoiceField(label=_("Country"), required=False)

    class Meta:
        model = Practice
        fields = ["country", "region"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("No public holidays"))] + [
            (c, c) for c in supported_countries()
        ]

    def clean(self):
        data = super().clean()
        region = (data.get("region") or "").strip().upper()
        data["region"] = region
        if region and region not in supported_subdivisions(data.get("country") or ""):
            self.add_error("region", _("This region is not known for the chosen country."))
        return data


class ClosureDayForm(forms.ModelForm):
    class Meta:
        model = ClosureDay
        fields = ["day", "reason"]
        formfield_callback = limited_formfield
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}
