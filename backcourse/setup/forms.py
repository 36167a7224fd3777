"""Owner settings forms: every queryset and every new row is bound to the practice."""

import zoneinfo
from datetime import datetime, time, timedelta

from django import forms
from django.forms import BaseModelFormSet, modelformset_factory
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from backcourse.clients.models import ScreeningQuestion
from backcourse.lib.slots import local_to_utc
from backcourse.practices.models import Practice, StaffMember
from backcourse.scheduling.models import Break, Room, SessionType, WorkingHours
from backcourse.security.limits import TEXT_MAX, PlausibleDateField, limited_formfield

TIME = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class PracticeDetailsForm(forms.ModelForm):
    time_zone = forms.ChoiceField(
        label=_("Time zone"),
        choices=sorted((z, z) for z in zoneinfo.available_timezones() if "/" in z),
    )

    class Meta:
        model = Practice
        fields = ["name", "email", "phone", "address", "language", "time_zone"]
        formfield_callback = limited_formfield
        widgets = {"address": forms.Textarea(attrs={"rows": 3})}


class OnlineBookingForm(forms.ModelForm):
    class Meta:
        model = Practice
        fields = ["online_booking", "cancellation_notice_hours", "reminder_hours_before"]


class PracticeRowsFormSet(BaseModelFormSet):
    """A formset of one practice's rows: new rows belong to it, and names are unique
    within it (checked here, so a clash is a message rather than a database error)."""

    unique_field = "name"

    def __init__(self, *args, practice, **kwargs):
        self.practice = practice
        super().__init__(*args, **kwargs)
        for form in self.forms:
            form.instance.practice = practice

    @property
    def empty_form(self):
        form = super().empty_form
        form.instance.practice = self.practice
        return form

    def clean(self):
        super().clean()
        for form in self.initial_forms:
            if form.instance.pk is None:
                # The posted id is not among this practice's rows (tampered with).
                raise forms.ValidationError(_("A row here is not one of your practice's."))
        if any(self.errors):
            return
        field = self.unique_field
        seen = {}
        model = self.model
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            value = (form.cleaned_data.get(field) or "").strip().lower()
            if not value:
                continue
            if value in seen:
                form.add_error(field, _("This name is used twice."))
            seen[value] = form
            clash = model.objects.filter(practice=self.practice, **{f"{field}__iexact": value})
            if form.instance.pk:
                clash = clash.exclude(pk=form.instance.pk)
            if clash.exclude(pk__in=[f.instance.pk for f in self.forms if f.instance.pk]).exists():
                form.add_error(field, _("Another row already has this name."))

    def save_rows(self):
        rows = self.save(commit=False)
        for row in rows:
            row.practice = self.practice
            row.save()
        for row in self.deleted_objects:
            row.delete()
        return rows


RoomFormSet = modelformset_factory(
    Room, fields=["name", "is_active"], formset=PracticeRowsFormSet, extra=1
)

SessionTypeFormSet = modelformset_factory(
    SessionType,
    fields=["name", "duration_minutes", "buffer_minutes", "bookable_online", "is_active"],
    formset=PracticeRowsFormSet,
    extra=1,
)


class ScreeningQuestionForm(forms.ModelForm):
    class Meta:
        model = ScreeningQuestion
        fields = ["text", "kind", "advice", "order", "is_active"]
        formfield_callback = limited_formfield
        widgets = {"advice": forms.Textarea(attrs={"rows": 2})}

    def save(self, commit=True):
        row = super().save(commit=False)
        if not row.code:
            base = slugify(row.text)[:50] or "question"
            code, n = base, 1
            while ScreeningQuestion.objects.filter(practice=row.practice, code=code).exists():
                n += 1
                code = f"{base[:45]}-{n}"
            row.code = code
        if commit:
            row.save()
        return row


class ScreeningFormSet(PracticeRowsFormSet):
    unique_field = "text"


ScreeningQuestionFormSet = modelformset_factory(
    ScreeningQuestion, form=ScreeningQuestionForm, formset=ScreeningFormSet, extra=1
)


class ConsentTextForm(forms.Form):
    text = forms.CharField(
        label=_("Text"), max_length=TEXT_MAX, widget=forms.Textarea(attrs={"rows": 8})
    )


class WeeklyRangeForm(forms.ModelForm):
    class Meta:
        fields = ["weekday", "start_time", "end_time"]
        widgets = {"start_time": TIME, "end_time": TIME}

    def clean(self):
        data = super().clean()
        start, end = data.get("start_time"), data.get("end_time")
        if start and end and end <= start:
            self.add_error("end_time", _("The end must be after the start."))
        return data


class WorkingHoursForm(WeeklyRangeForm):
    class Meta(WeeklyRangeForm.Meta):
        model = WorkingHours


class BreakForm(WeeklyRangeForm):
    class Meta(WeeklyRangeForm.Meta):
        model = Break


def weekly_formset(model, form):
    return forms.inlineformset_factory(
        StaffMember, model, form=form, fk_name="therapist", extra=1, can_delete=True
    )


WorkingHoursFormSet = weekly_formset(WorkingHours, WorkingHoursForm)
BreakFormSet = weekly_formset(Break, BreakForm)


class TimeOffForm(forms.Form):
    """Days off in the practice's wall clock: from the start of the first day to the
    end of the last one (whole days), with an optional reason."""

    first_day = PlausibleDateField(
        label=_("First day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    last_day = PlausibleDateField(
        label=_("Last day"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Reason"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        first, last = data.get("first_day"), data.get("last_day")
        if first and last and last < first:
            self.add_error("last_day", _("The last day cannot be before the first."))
        return data

    def range(self, zone) -> tuple[datetime, datetime]:
        first, last = self.cleaned_data["first_day"], self.cleaned_data["last_day"]
        return (
            local_to_utc(first, time.min, zone),
            local_to_utc(last + timedelta(days=1), time.min, zone),
        )


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("Email"))
    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150)
    role = forms.ChoiceField(label=_("Role"), choices=StaffMember.Role.choices)
    takes_sessions = forms.BooleanField(
        label=_("Takes sessions (shown as a therapist in the calendar)"), required=False
    )


class StaffChangeForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=StaffMember.Role.choices)
    takes_sessions = forms.BooleanField(label=_("Takes sessions"), required=False)
