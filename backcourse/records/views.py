from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backcourse.audit.models import AccessEvent
from backcourse.audit.services import access_event_record
from backcourse.practices.access import access_session, staff_required
from backcourse.practices.roles import Perm
from backcourse.records.forms import SessionRecordForm
from backcourse.records.selectors import body_chart_regions, session_record_for
from backcourse.records.services import RecordConflict, RecordRefused, session_record_save


@staff_required(perm=Perm.CLINICAL_READ)
@require_http_methods(["GET", "POST"])
def record_edit(request: HttpRequest, session_pk: int) -> HttpResponse:
    """The session record form: GET shows it (creating nothing), POST saves it."""
    perm = Perm.CLINICAL_WRITE if request.method == "POST" else Perm.CLINICAL_READ
    session = access_session(request, session_pk, audit_what="session record form", perm=perm)
    record = session_record_for(session)
    if request.method != "POST":
        form = SessionRecordForm(session=session, record=record)
        return _render(request, session, form, record=record)

    form = SessionRecordForm(request.POST, session=session, record=record)
    if not form.is_valid():
        return _render(request, session, form, record=record)
    try:
        with transaction.atomic():  # the record and its audit row land together
            session_record_save(
                session=session,
                data=form.record_data(),
                user=request.user,
                expected_version=form.cleaned_data["version"],
            )
            access_event_record(
                request=request,
                client=session.client,
                what=f"session record {session.pk}",
                action=AccessEvent.Action.CHANGE,
            )
    except RecordRefused as exc:
        # The session changed (e.g. cancelled) since the form was validated.
        form.add_error(None, exc.message)
        return _render(request, session, form, record=record, status=409)
    except RecordConflict:
        # Someone saved this record since the form was loaded. Show what they saved,
        # keep everything this user typed, and let them save again on purpose: the
        # form now carries the new version.
        current = session_record_for(session)
        data = request.POST.copy()
        data["version"] = str(current.version if current else 0)
        form = SessionRecordForm(data, session=session, record=current)
        return _render(request, session, form, record=current, conflict=current, status=409)
    messages.success(request, _("Session record saved."))
    return redirect(_after_save_url(session))


def _after_save_url(session) -> str:
    if session.course_id:
        return reverse("courses:detail", args=[session.course_id])
    return reverse("clients:detail", args=[session.client_id])


def _render(request, session, form, *, record, conflict=None, status=200):
    regions = form.region_inputs()
    conflict_chart = None
    if conflict is not None:
        conflict_chart = body_chart_regions(
            {t.region.code: t.level for t in conflict.tension.all()},
            regions=form.regions,
        )
    context = {
        "session": session,
        "local_start": session.local_start,
        "number_in_course": session.number_in_course,
        "form": form,
        "record": record,
        "regions": regions,
        "conflict": conflict,
        "conflict_chart": conflict_chart,
        "back_url": _after_save_url(session),
    }
    return render(request, "records/record_form.html", context, status=status)
