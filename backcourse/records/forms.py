"""The session record form.

Which measures, regions and techniques it shows is data (measures app), not code:
- one field per active measure and moment, named `m_<measure code>_<before|after>`;
- one field per active back region, named `tension_<region code>` (0..3);
- techniques and muscles treated post vocabulary codes.
"""

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.lib.numbers import plain_decimal
from backcourse.measures.models import (
    TENSION_MAX,
    TENSION_MIN,
    MeasureDefinition,
    MuscleRegion,
    Technique,
)
from backcourse.measures.validation import measure_value_error
from backcourse.records.models import Measurement, SessionRecord
from backcourse.records.services import SessionRecordData, record_refusal
from backcourse.scheduling.models import Session
from backcourse.security.limits import TEXT_MAX

MOMENTS = (
    (Measurement.Moment.BEFORE, _("Before")),
    (Measurement.Moment.AFTER, _("After")),
)
# A rating scale with at most this many steps is shown as a row of tap buttons.
MAX_TAP_BUTTONS = 11
NOTE_FIELDS = ("subjective", "objective", "assessment", "plan")


def measure_field_name(measure: MeasureDefinition, moment: str) -> str:
    return f"m_{measure.code}_{moment}"


def tension_field_name(region: MuscleRegion) -> str:
    return f"tension_{region.code}"


plain = plain_decimal  # how values are posted and shown: 7.0 -> "7"


def _decimal_or_none(raw) -> Decimal | None:
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation:
        return None


@dataclass
class ScaleOption:
    value: str
    checked: bool


@dataclass
class MeasureInput:
    """One measure at one moment, as the template draws it."""

    moment: str
    moment_label: str
    field: forms.BoundField
    options: list[ScaleOption] | None  # tap buttons, or None for a number input

    @property
    def is_empty(self) -> bool:
        return not self.invalid_raw and not any(o.checked for o in self.options or [])

    @property
    def invalid_raw(self) -> str:
        """A posted value that is none of the scale's buttons, kept so the user sees it."""
        raw = self.field.value()
        if self.options is None or raw in (None, "") or any(o.checked for o in self.options):
            return ""
        return str(raw)


@dataclass
class MeasureRow:
    measure: MeasureDefinition
    inputs: list[MeasureInput]
    is_scale: bool

    @property
    def errors(self) -> list[str]:
        return [e for i in self.inputs for e in i.field.errors]


@dataclass
class RegionInput:
    region: MuscleRegion
    field: forms.BoundField
    level: int
    raw: str

    @property
    def code(self) -> str:
        return self.region.code

    @property
    def label(self) -> str:
        return str(self.region)

    @property
    def svg_path(self) -> str:
        return self.region.svg_path

    @property
    def invalid_raw(self) -> str:
        """A posted value that is not a tension level, kept so the user sees it."""
        return "" if self.raw in ("", "0", "1", "2", "3") else self.raw


class SessionRecordForm(forms.Form):
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    techniques = forms.ModelMultipleChoiceField(
        queryset=Technique.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Techniques"),
    )
    pressure = forms.TypedChoiceField(
        choices=[("", _("not noted")), *SessionRecord.Pressure.choices],
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
        label=_("Pressure"),
    )
    muscles_treated = forms.ModelMultipleChoiceField(
        queryset=MuscleRegion.objects.none(),
        to_field_name="code",
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Muscles treated"),
    )
    same_as_tension = forms.BooleanField(
        required=False, label=_("Same as the tense regions on the body chart")
    )
    duration_minutes = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=240,
        label=_("Treatment minutes"),
        error_messages={
            "min_value": _("Treatment takes at least 1 minute."),
            "max_value": _("Treatment minutes cannot exceed 240."),
            "invalid": _("Enter whole minutes, e.g. 45."),
        },
    )
    subjective = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Subjective"),
    )
    objective = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Objective"),
    )
    assessment = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Assessment"),
    )
    plan = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        label=_("Plan"),
    )

    def __init__(self, *args, session: Session, record: SessionRecord | None = None, **kwargs):
        self.session = session
        self.record = record
        self.measures = list(
            MeasureDefinition.objects.filter(is_active=True)
            .exclude(kind=MeasureDefinition.Kind.TENSION_SUM)  # derived, not entered
            .filter(Q(recorded_before=True) | Q(recorded_after=True))
        )
        self.regions = list(MuscleRegion.objects.filter(is_active=True))
        if "initial" not in kwargs:
            kwargs["initial"] = initial_from_record(record, session)
        super().__init__(*args, **kwargs)
        self.fields["techniques"].queryset = Technique.objects.filter(is_active=True)
        self.fields["muscles_treated"].queryset = MuscleRegion.objects.filter(is_active=True)
        for measure in self.measures:
            for moment, moment_label in MOMENTS:
                if not _recorded_at(measure, moment):
                    continue
                self.fields[measure_field_name(measure, moment)] = forms.DecimalField(
                    required=False,
                    max_digits=6,
                    decimal_places=1,
                    label=f"{measure.label} · {moment_label}",
                    error_messages={
                        "invalid": _("Enter a number."),
                        "max_decimal_places": _("Use at most one decimal place."),
                        "max_digits": _("This number is too long."),
                    },
                )
        for region in self.regions:
            self.fields[tension_field_name(region)] = forms.IntegerField(
                required=False,
                label=str(region),
                error_messages={"invalid": _("Tension is rated 0 to 3.")},
            )

    # --- validation -------------------------------------------------------------

    def clean(self):
        data = super().clean()
        for measure in self.measures:
            for moment, _label in MOMENTS:
                name = measure_field_name(measure, moment)
                if name in self.fields and data.get(name) is not None:
                    error = measure_value_error(measure, data[name])
                    if error:
                        self.add_error(name, error)
        for region in self.regions:
            name = tension_field_name(region)
            level = data.get(name)
            if level is not None and not (TENSION_MIN <= level <= TENSION_MAX):
                self.add_error(name, _("Tension is rated 0 to 3."))
        if data.get("same_as_tension") and not self.tensed_regions(data):
            self.add_error("same_as_tension", _("No region is marked tense on the body chart yet."))
        # Consent and the held-session rule: the record writer's own check.
        refusal = record_refusal(self.session, now=timezone.now())
        if refusal is not None:
            self.add_error(None, refusal.message)
        return data

    def tensed_regions(self, data=None) -> list[MuscleRegion]:
        data = self.cleaned_data if data is None else data
        return [r for r in self.regions if (data.get(tension_field_name(r)) or 0) > 0]

    def record_data(self) -> SessionRecordData:
        """The validated values for `session_record_save`."""
        data = self.cleaned_data
        measurements = {}
        for measure in self.measures:
            for moment, _label in MOMENTS:
                name = measure_field_name(measure, moment)
                if name in self.fields:
                    measurements[(measure, moment)] = data.get(name)
        muscles = list(data.get("muscles_treated") or [])
        if data.get("same_as_tension"):
            chosen = {m.pk for m in muscles}
            muscles += [r for r in self.tensed_regions() if r.pk not in chosen]
        return SessionRecordData(
            measurements=measurements,
            tension={r: data.get(tension_field_name(r)) or 0 for r in self.regions},
            techniques=list(data.get("techniques") or []),
            pressure=data.get("pressure"),
            muscles_treated=muscles,
            duration_minutes=data.get("duration_minutes"),
            **{name: data.get(name, "") for name in NOTE_FIELDS},
        )

    # --- drawing ----------------------------------------------------------------

    def measure_rows(self) -> list[MeasureRow]:
        rows = []
        for measure in self.measures:
            is_scale = _is_tap_scale(measure)
            inputs = []
            for moment, moment_label in MOMENTS:
                name = measure_field_name(measure, moment)
                if name not in self.fields:
                    continue
                bound = self[name]
                options = None
                if is_scale:
                    current = _decimal_or_none(bound.value())
                    options = [
                        ScaleOption(value=plain(v), checked=current is not None and current == v)
                        for v in _scale_values(measure)
                    ]
                inputs.append(MeasureInput(moment, moment_label, bound, options))
            rows.append(MeasureRow(measure=measure, inputs=inputs, is_scale=is_scale))
        return rows

    def scale_rows(self) -> list[MeasureRow]:
        return [r for r in self.measure_rows() if r.is_scale]

    def number_rows(self) -> list[MeasureRow]:
        return [r for r in self.measure_rows() if not r.is_scale]

    def region_inputs(self) -> list[RegionInput]:
        items = []
        for region in self.regions:
            bound = self[tension_field_name(region)]
            raw = bound.value()
            raw = "" if raw is None else str(raw)
            try:
                level = int(raw or 0)
            except ValueError:
                level = 0
            if not (TENSION_MIN <= level <= TENSION_MAX):
                level = 0
            items.append(RegionInput(region=region, field=bound, level=level, raw=raw))
        return items

    def tension_errors(self) -> bool:
        return any(self.errors.get(tension_field_name(r)) for r in self.regions)

    def muscle_groups(self) -> list[tuple[str, list[tuple[MuscleRegion, object]]]]:
        """Muscles treated as (muscle, [(region, checkbox), ...]) — left and right together."""
        boxes = {str(box.data["value"]): box for box in self["muscles_treated"]}
        groups: dict[str, list] = {}
        for region in self.regions:
            if region.code in boxes:
                groups.setdefault(region.muscle_label, []).append((region, boxes[region.code]))
        return list(groups.items())

    def note_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in NOTE_FIELDS]


def _recorded_at(measure: MeasureDefinition, moment: str) -> bool:
    if moment == Measurement.Moment.BEFORE:
        return measure.recorded_before
    return measure.recorded_after


def _is_tap_scale(measure: MeasureDefinition) -> bool:
    if measure.kind != MeasureDefinition.Kind.RATING or measure.step <= 0:
        return False
    steps = (measure.max_value - measure.min_value) / measure.step
    return steps == steps.to_integral_value() and steps + 1 <= MAX_TAP_BUTTONS


def _scale_values(measure: MeasureDefinition) -> list[Decimal]:
    values, v = [], measure.min_value
    while v <= measure.max_value:
        values.append(v)
        v += measure.step
    return values


def initial_from_record(record: SessionRecord | None, session: Session) -> dict:
    """Form values for an existing record (or a fresh form for `session`)."""
    if record is None:
        return {"version": 0, "duration_minutes": session.duration_minutes}
    initial: dict = {
        "version": record.version,
        "pressure": record.pressure,
        "duration_minutes": record.duration_minutes,
        "techniques": [t.code for t in record.techniques.all()],
        "muscles_treated": [r.code for r in record.muscles_treated.all()],
        **{name: getattr(record, name) for name in NOTE_FIELDS},
    }
    for m in record.measurements.all():
        initial[f"m_{m.measure.code}_{m.moment}"] = plain(m.value)
    for t in record.tension.all():
        initial[f"tension_{t.region.code}"] = t.level
    return initial
