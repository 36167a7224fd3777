from django import forms
from django.utils.translation import gettext_lazy as _

from backcourse.courses.models import Course
from backcourse.courses.services import PLAN_FIELDS
from backcourse.formats.widgets import IsoDateInput
from backcourse.measures.models import MeasureDefinition, MuscleRegion
from backcourse.practices.models import StaffMember
from backcourse.security.limits import limited_formfield


class TherapistChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.name


class RegionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.short_label


class CourseForm(forms.ModelForm):
    """The course plan. The instance carries practice and client before validation so
    that Course.clean() can check the goal against its measure; its messages appear
    next to goal_value / goal_measure."""

    therapist = TherapistChoiceField(label=_("Therapist"), queryset=StaffMember.objects.none())
    target_muscles = RegionChoiceField(
        label=_("Target muscles"),
        queryset=MuscleRegion.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Course
        fields = [*PLAN_FIELDS, "target_muscles"]
        formfield_callback = limited_formfield
        widgets = {
            "started_on": IsoDateInput(),
            "notes": forms.Textarea(attrs={"rows": 3}),
            "goal_value": forms.NumberInput(attrs={"step": "0.5"}),
        }
        help_texts = {
            "goal_value": _(
                "A value on the measure's scale (e.g. pain 3), or a percentage for "
                "“Improve by a percentage”."
            ),
            "planned_sessions": _("1 to 100; leave empty for an open-ended course."),
        }

    def __init__(self, *args, practice, client, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.practice = practice
        self.instance.client = client
        self.fields["therapist"].queryset = StaffMember.objects.filter(
            practice=practice, is_active=True, takes_sessions=True
        ).select_related("user")
        self.fields["goal_measure"].queryset = MeasureDefinition.objects.filter(
            is_active=True, can_be_goal=True
        )
        self.fields["target_muscles"].queryset = MuscleRegion.objects.filter(is_active=True)
        self.fields["planned_sessions"].widget.attrs.update({"min": 1, "max": 100})
