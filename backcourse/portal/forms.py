from datetime import UTC, datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from backcourse.measures.models import MuscleRegion
from backcourse.portal.questionnaires import (
    PSFS_MAX_ACTIVITIES,
    PSS4_CHOICES,
    PSS4_ITEMS,
    RMDQ_ITEMS,
)
from backcourse.security.limits import TEXT_MAX

SCALE = [(i, str(i)) for i in range(11)]


class LoginForm(forms.Form):
    email = forms.EmailField(
        label=_("Your email address"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label=_("Password (only if you have set one)"),
        required=False,
        strip=False,
        max_length=4096,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )


class ConsentForm(forms.Form):
    def __init__(self, *args, texts, **kwargs):
        super().__init__(*args, **kwargs)
        self.texts = texts
        for text in texts:
            self.fields[f"text_{text.pk}"] = forms.BooleanField(
                label=_("I agree to this text (version %(v)s).") % {"v": text.version},
                required=True,
                error_messages={"required": _("Please tick to agree, or ask the practice.")},
            )

    def text_ids(self):
        return [t.pk for t in self.texts if self.cleaned_data.get(f"text_{t.pk}")]


class IntakeForm(forms.Form):
    complaint = forms.CharField(
        label=_("What brings you to us?"),
        max_length=300,
        error_messages={"required": _("Please tell us in a few words what brings you.")},
    )
    regions = forms.ModelMultipleChoiceField(
        label=_("Where does it hurt?"),
        queryset=MuscleRegion.objects.filter(is_active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Please choose regions from the chart.")},
    )
    history = forms.CharField(
        label=_("Since when, and what has helped or made it worse?"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    medication = forms.CharField(
        label=_("Medication you take"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args, questions, **kwargs):
        super().__init__(*args, **kwargs)
        self.questions = questions
        for q in questions:
            self.fields[f"q_{q.pk}"] = forms.TypedChoiceField(
                label=q.text,
                choices=[("yes", _("Yes")), ("no", _("No"))],
                widget=forms.RadioSelect,
                coerce=lambda v: v == "yes",
                error_messages={
                    "required": _("Please answer yes or no."),
                    "invalid_choice": _("Please answer yes or no."),
                },
            )

    def screening_fields(self):
        return [self[f"q_{q.pk}"] for q in self.questions]

    def answers(self):
        return {q.pk: self.cleaned_data[f"q_{q.pk}"] for q in self.questions}


class CheckInForm(forms.Form):
    pain = forms.TypedChoiceField(
        label=_("Pain right now (0 = none, 10 = worst imaginable)"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please tap a number from 0 to 10."),
            "invalid_choice": _("Please tap a number from 0 to 10."),
        },
    )
    stress = forms.TypedChoiceField(
        label=_("Stress right now (0 = none, 10 = extreme)"),
        choices=SCALE,
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Please tap a number from 0 to 10."),
            "invalid_choice": _("Please tap a number from 0 to 10."),
        },
    )
    note = forms.CharField(
        label=_("Anything new since last time?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class RmdqForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, text in enumerate(RMDQ_ITEMS, start=1):
            self.fields[str(i)] = forms.BooleanField(label=text, required=False)

    def answers(self):
        return {k: bool(v) for k, v in self.cleaned_data.items()}


class Pss4Form(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i, text in enumerate(PSS4_ITEMS, start=1):
            self.fields[str(i)] = forms.TypedChoiceField(
                label=text,
                choices=PSS4_CHOICES,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": _("Please choose an answer."),
                    "invalid_choice": _("Please choose one of the five answers."),
                },
            )

    def answers(self):
        return dict(self.cleaned_data)


class PsfsForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for i in range(1, PSFS_MAX_ACTIVITIES + 1):
            self.fields[f"name_{i}"] = forms.CharField(
                label=_("Activity %(n)s") % {"n": i}, required=False, max_length=120
            )
            self.fields[f"rating_{i}"] = forms.TypedChoiceField(
                label=_("How well can you do it? (0–10)"),
                choices=[("", "—"), *SCALE],
                coerce=int,
                empty_value=None,
                required=False,
                error_messages={"invalid_choice": _("Please choose a number from 0 to 10.")},
            )

    def clean(self):
        cleaned = super().clean()
        for i in range(1, PSFS_MAX_ACTIVITIES + 1):
            name, rating = cleaned.get(f"name_{i}"), cleaned.get(f"rating_{i}")
            if name and rating is None:
                self.add_error(f"rating_{i}", _("Please rate this activity from 0 to 10."))
            if rating is not None and not name:
                self.add_error(f"name_{i}", _("Please name the activity you rate."))
        return cleaned

    def rows(self):
        return [(self[f"name_{i}"], self[f"rating_{i}"]) for i in range(1, PSFS_MAX_ACTIVITIES + 1)]

    def answers(self):
        return {
            "activities": [
                {"name": self.cleaned_data[f"name_{i}"], "rating": self.cleaned_data[f"rating_{i}"]}
                for i in range(1, PSFS_MAX_ACTIVITIES + 1)
                if self.cleaned_data.get(f"name_{i}")
            ]
        }


QUESTIONNAIRE_FORMS = {"rmdq": RmdqForm, "pss4": Pss4Form, "psfs": PsfsForm}


class RescheduleForm(forms.Form):
    """The chosen free time, as the ISO instant the slot list links to (UTC)."""

    starts_at = forms.CharField(widget=forms.HiddenInput, required=False, max_length=64)

    def clean_starts_at(self):
        value = (self.cleaned_data.get("starts_at") or "").strip()
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            moment = None
        if moment is None or moment.tzinfo is None:
            raise forms.ValidationError(_("Please choose one of the free times."))
        return moment.astimezone(UTC)
