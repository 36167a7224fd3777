from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from backcourse.practices.admin_scoping import PracticeScopedAdmin
from backcourse.scheduling import errors, services
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Room, Session


@admin.register(Room)
class RoomAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "practice", "is_active"]
    list_filter = ["practice"]


class SessionAdminForm(forms.ModelForm):
    """The admin's session form. It does not save the session itself: booking a new
    one goes through `services.session_book`, a new start through `services.session_move`
    (the same checks as the day view, staff form and public booking). The service runs
    once the form's own fields are valid; a refusal becomes the form's error and
    nothing is saved. The admin's change view is one transaction, so the session the
    service wrote is the one the admin then shows."""

    confirm_overrides = forms.MultipleChoiceField(
        label=_("Book anyway despite"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(code, errors.MESSAGES[code]) for code in sorted(services.STAFF_OVERRIDABLE)],
        help_text=_(
            "Tick only after checking with the therapist. The session will note that you did."
        ),
    )
    by = None  # the user saving (set per request in SessionAdmin.get_form)

    class Meta:
        model = Session
        # The admin narrows these per page (SessionAdmin.get_fields).
        fields = [
            "practice",
            "therapist",
            "client",
            "course",
            "session_type",
            "starts_at",
            "duration_minutes",
            "room",
        ]

    def _post_clean(self) -> None:
        super()._post_clean()
        if self.errors:
            return
        data = self.cleaned_data
        overrides = data.get("confirm_overrides") or ()
        try:
            if self.instance.pk is None:
                self.instance = services.session_book(
                    practice=data["practice"],
                    therapist=data["therapist"],
                    client=data["client"],
                    course=data.get("course"),
                    session_type=data.get("session_type"),
                    room=data.get("room"),
                    starts_at=data["starts_at"],
                    duration_minutes=data.get("duration_minutes"),
                    by=self.by,
                    overrides=overrides,
                )
            elif "starts_at" in self.changed_data:
                self.instance = services.session_move(
                    session=self.instance,
                    starts_at=data["starts_at"],
                    by=self.by,
                    overrides=overrides,
                )
        except SchedulingError as exc:
            self.add_error("starts_at", exc.message)


def _status_action(status: str, label):
    def action(modeladmin, request, queryset):
        changed = 0
        for session in queryset.select_related("client"):
            try:
                if status == Session.Status.CANCELLED:
                    services.session_cancel(session=session, by=request.user)
                else:
                    services.session_status_set(session=session, status=status, by=request.user)
            except SchedulingError as exc:
                modeladmin.message_user(request, f"{session}: {exc.message}", messages.ERROR)
            else:
                changed += 1
        if changed:
            modeladmin.message_user(
                request, _("%(count)s session(s) changed.") % {"count": changed}, messages.SUCCESS
            )

    action.__name__ = f"mark_{status}"
    return admin.action(description=label)(action)


@admin.register(Session)
class SessionAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    """Sessions in the admin go through scheduling/services.py like every other path:
        adding books (`session_book`), a new start moves (`session_move`), and the status
        changes only by the actions (the transition table on `Session`). Everything else
        about a booked session is read-only here; cancel and book again instead. Sessions
    cannot be deleted here (see `has_delete_permission`)."""

    form = SessionAdminForm
    list_display = ["starts_at", "client", "therapist", "room", "status"]
    list_filter = ["practice", "status"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["client", "course", "therapist"]
    add_fields = [*SessionAdminForm.Meta.fields, "confirm_overrides"]
    change_readonly = [
        "practice",
        "therapist",
        "client",
        "course",
        "session_type",
        "duration_minutes",
        "room",
        "buffer_minutes",
        "series",
        "status",
        "overrides",
        "overridden_by",
    ]
    actions = [
        _status_action(Session.Status.CHECKED_IN, _("Check in the selected sessions")),
        _status_action(Session.Status.COMPLETED, _("Mark the selected sessions completed")),
        _status_action(Session.Status.NO_SHOW, _("Mark the selected sessions as no-shows")),
        _status_action(Session.Status.CANCELLED, _("Cancel the selected sessions")),
        _status_action(Session.Status.BOOKED, _("Mark the selected sessions booked again")),
    ]

    def get_fields(self, request, obj=None):
        if obj is None:
            return self.add_fields
        return ["starts_at", "confirm_overrides", *self.change_readonly]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.change_readonly

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        return type(form.__name__, (form,), {"by": request.user})

    def save_model(self, request, obj, form, change):
        """Nothing to save: the form's service call wrote the session (see
        SessionAdminForm)."""

    def has_delete_permission(self, request, obj=None):
        """Not on the session's own pages, for anybody: deleting a session would skip
        the status hook (billing listens to `session_status_changed`) and lose its
        history. Cancel instead (the action above, through `services.session_cancel`).
        Deleting a whole client or practice (whose delete page lists their sessions)
        still takes their sessions with them, for those allowed to."""
        match = getattr(request, "resolver_match", None)
        if match is None or (match.url_name or "").startswith("scheduling_session_"):
            return False
        return super().has_delete_permission(request, obj)


# --- Hours, session types, time off (scheduling engineer; append-only) ---------------
from backcourse.scheduling.models import (  # noqa: E402
    Break,
    PendingBooking,
    SessionType,
    TimeOff,
    WorkingHours,
)


@admin.register(SessionType)
class SessionTypeAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["name", "practice", "duration_minutes", "buffer_minutes", "bookable_online"]
    list_filter = ["practice"]


@admin.register(WorkingHours)
class WorkingHoursAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "therapist__practice"
    list_display = ["therapist", "weekday", "start_time", "end_time"]
    list_filter = ["therapist__practice", "weekday"]


@admin.register(Break)
class BreakAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "therapist__practice"
    list_display = ["therapist", "weekday", "start_time", "end_time"]
    list_filter = ["therapist__practice", "weekday"]


@admin.register(TimeOff)
class TimeOffAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    practice_path = "therapist__practice"
    list_display = ["therapist", "starts_at", "ends_at", "reason"]
    list_filter = ["therapist__practice"]


@admin.register(PendingBooking)
class PendingBookingAdmin(PracticeScopedAdmin, admin.ModelAdmin):
    list_display = ["email", "practice", "starts_at", "created_at", "confirmed_at"]
    list_filter = ["practice"]
    readonly_fields = ["nonce", "session"]
