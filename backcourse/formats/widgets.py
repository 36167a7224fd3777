"""Date and time inputs for the browser's own pickers.

`<input type="date">` accepts only an ISO value (2026-12-07) and shows it in the reader's
locale itself; Django's DateInput would render the active language's format ("07.12.2026"
in German), which the browser rejects, so the field came up empty. These widgets always
render ISO; DateField and TimeField accept ISO input in every language.
"""

from django import forms


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format="%H:%M")
