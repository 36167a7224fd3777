from django import forms
from django.utils.translation import gettext_lazy as _

from backcourse.closures.days import supported_countries
from backcourse.closures.models import ClosureDay, HolidayRegion


class HolidayRegionForm(forms.ModelForm):
    country = forms.ChoiceField(label=_("Country"), required=False)

    class Meta:
        model = HolidayRegion
        fields = ["country", "subdivision"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].choices = [("", _("No public holidays"))] + [
            (c, c) for c in supported_countries()
        ]

    def clean_subdivision(self):
        return self.cleaned_data["subdivision"].strip().upper()


class ClosureDayForm(forms.ModelForm):
    class Meta:
        model = ClosureDay
        fields = ["day", "reason"]
        widgets = {"day": forms.DateInput(attrs={"type": "date"})}
