"""The client list, the client page and the client form."""

from html import escape

from django.contrib import messages
from django.db.models import Count, Min
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import floatformat
from django.utils import formats, timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from backcourse.audit.services import access_events_record_many
from backcourse.clients.forms import ClientForm, ClientSearchForm
from backcourse.clients.paging import WindowPaginator
from backcourse.clients.screening import intake_flags, newest_intake
from backcourse.clients.services import client_create, client_update
from backcourse.courses.models import Course
from backcourse.courses.selectors import attach_therapist_and_goal
from backcourse.links import url_for_each
from backcourse.outcomes.selectors import FOLLOW_UP_RELATION, follow_ups_of
from backcourse.practices.access import (
    access_client,
    clinical_client_ids,
    scoped_clients,
    staff_required,
)
from backcourse.practices.roles import Perm
from backcourse.practices.templatetags.dates import day_short_time
from backcourse.records.selectors import measure_rows, record_values
from backcourse.scheduling.models import Session
from backcourse.scheduling.selectors import attach_therapists_and_rooms

LIST_FIELDS = ("id", "practice_id", "first_name", "last_name", "email", "phone")


@staff_required(perm=Perm.CLIENT_CONTACT)
def client_list(request: HttpRequest) -> HttpResponse:
    form = ClientSearchForm(request.GET)
    q = form.cleaned_data["q"].strip() if form.is_valid() else ""
    clients = (
        scoped_clients(request)
        .filter(is_archived=False)
        .search(q)
        .order_by("last_name", "first_name", "id")
        # What the list shows (and the audit row needs): not the notes or the rest.
        .only(*LIST_FIELDS)
    )
    number = request.GET.get("page")
    page = WindowPaginator(clients, 50, number=number).get_page(number)
    page.object_list = list(page.object_list)
    _add_list_facts(page.object_list)
    # One reverse for the page, not one {% url %} per row: the rows' links differ only
    # in the client's id.
    client_url = url_for_each("clients:detail")
    for c in page.object_list:
        c.url = client_url(c.pk)
    access_events_record_many(request=request, clients=page.object_list, what="client list")
    return render(
        request,
        "clients/list.html",
        {
            "nav": "clients",
            "form": form,
            "q": q,
            "page": page,
            "rows": _list_rows(page.object_list),
        },
    )


def _list_rows(clients: list) -> str:
    """The list's rows, as `clients/list.html` wrote them with ~10 template tags per
    row (fifty rows a page: ~6 ms on 2 CPUs), every value escaped with html.escape
    (what the template's autoescaping calls). Returns safe HTML."""
    next_word = escape(_("next"))
    courses: dict[int, str] = {}
    rows = []
    for c in clients:
        contact = escape(c.phone or "")
        if c.phone and c.email:
            contact += " · "
        contact += escape(c.email or "")
        facts = ""
        if c.active_courses:
            n = c.active_courses
            if n not in courses:
                courses[n] = escape(
                    ngettext("%(n)s active course", "%(n)s active courses", n) % {"n": n}
                )
            facts = f'<span class="badge badge-active">{courses[n]}</span>'
        facts += "\n        "
        if c.next_session:
            when = escape(day_short_time(timezone.localtime(c.next_session)))
            facts += f'<span class="muted small">{next_word} {when}</span>'
        rows.append(
            "\n  <li>"
            f'\n    <a class="client-row" href="{escape(c.url)}">'
            f'\n      <span class="client-name">{escape(c.last_name)}, {escape(c.first_name)}</span>'
            f'\n      <span class="client-contact muted">{contact}</span>'
            '\n      <span class="client-facts">'
            f"\n        {facts}"
            "\n      </span>"
            "\n    </a>"
            "\n  </li>\n  "
        )
    return mark_safe("".join(rows))  # every value above is escaped


def _add_list_facts(clients: list) -> None:
    """Active courses and the next session of the clients on one page of the list, in
    two queries over those clients only (never the whole practice)."""
    ids = [c.pk for c in clients]
    active = dict(
        Course.objects.filter(client_id__in=ids, status=Course.Status.ACTIVE)
        .values("client_id")
        .annotate(n=Count("id"))
        .values_list("client_id", "n")
    )
    upcoming = dict(
        Session.objects.active()
        .filter(client_id__in=ids, starts_at__gte=timezone.now())
        .values("client_id")
        .annotate(first=Min("starts_at"))
        .values_list("client_id", "first")
    )
    for c in clients:
        c.active_courses = active.get(c.pk, 0)
        c.next_session = upcoming.get(c.pk)


def _history_rows(history: list, *, clinical: bool) -> str:
    """The session history's table rows, as `clients/detail.html` wrote them with template
    tags per row (~0.1 ms a row: a client with a long history paid for each): dates,
    times and labels formatted once per distinct value, every value escaped with
    html.escape (what the template's autoescaping calls). Returns safe HTML."""
    now = timezone.now()
    labels = {value: escape(str(label)) for value, label in Session.Status.choices}
    course_word = escape(_("Course"))
    record_words = (escape(_("Record")), escape(_("Edit record")))
    dates: dict = {}
    times: dict = {}
    complaints: dict = {}
    rows = []
    for s in history:
        local = s.local
        day = dates.get(local.date())
        if day is None:
            day = dates[local.date()] = escape(formats.date_format(local))
        key = (local.time(), local.utcoffset())
        at = times.get(key)
        if at is None:
            at = times[key] = escape(formats.time_format(local))
        status = escape(s.status)
        if s.course_id is not None:
            if clinical:
                name = complaints.get(s.course_id)
                if name is None:
                    name = complaints[s.course_id] = escape(s.course.complaint)
                course = f'<a href="{escape(s.course_url)}">{name}</a>'
            else:
                course = course_word
            if s.number:
                course += f' <span class="muted">#{s.number}</span>'
        else:
            course = '<span class="muted">—</span>'
        row = (
            f'\n      <tr class="status-{status}">'
            f'\n        <td class="nowrap"><strong>{day}</strong> <span class="muted">{at}</span></td>'
            f"\n        <td>{course}</td>"
            f'\n        <td><span class="badge badge-{status}">{labels.get(s.status, status)}</span></td>'
            "\n        "
        )
        if clinical:
            if s.pain_before is not None or s.pain_after is not None:
                before = escape(floatformat(s.pain_before) or "–")
                after = escape(floatformat(s.pain_after) or "–")
                pain = f"{before} → {after}"
            else:
                pain = '<span class="muted">—</span>'
            record = ""
            if s.record_problem(now) is None:  # Session.record_open
                word = record_words[s.has_record]
                record = f'<a href="{escape(s.record_url)}">{word}</a>'
            row += f'<td class="num">{pain}</td>\n        <td>{record}</td>'
        rows.append(row + "\n      </tr>\n    ")
    return mark_safe("".join(rows))  # every value above is escaped


@staff_required(perm=Perm.CLIENT_CONTACT)
def client_detail(request: HttpRequest, pk: int) -> HttpResponse:
    client = access_client(request, pk, audit_what="client page")
    # Front desk (and a therapist limited to their own clients) see contact data and
    # the calendar, not measures, intake answers or records (no query unless the
    # therapist is limited to their own clients).
    clinical = client.pk in clinical_client_ids(request.staff, [client.pk])
    zone = request.practice.zone
    now = timezone.now()
    # Oldest first, as the page has always shown them (its former count annotation's
    # GROUP BY dropped Course.Meta.ordering: the courses came in id order).
    courses = list(client.courses.order_by("id"))
    attach_therapist_and_goal(request.practice, courses)
    course_by_id = {c.pk: c for c in courses}
    # The sessions with only what every row needs (record, follow-up): a join per
    # relation costs PostgreSQL more planning than the rows cost (7 tables: ~1.2 ms of
    # planning per request). Their courses are the client's courses loaded above (a
    # session's course is its client's: Session.ownership_problems); the therapists
    # and rooms only the upcoming sessions show are attached below.
    sessions = list(
        client.sessions.select_related("record", FOLLOW_UP_RELATION).order_by("-starts_at", "-id")
    )
    done: dict[int, int] = {}
    for s in sessions:
        if s.course_id in course_by_id:
            s.course = course_by_id[s.course_id]
            if s.status == Session.Status.COMPLETED:
                done[s.course_id] = done.get(s.course_id, 0) + 1
    for course in courses:
        course.done = done.get(course.pk, 0)
    charted = [c.pk for c in courses if c.status == Course.Status.ACTIVE] if clinical else []
    # One query for the pain column of the history and the active courses' charts (every
    # measure and the tension of the client's records; no query when there are none).
    values = record_values(
        client.practice,
        [s.record.pk for s in sessions if s.has_record] if clinical else [],
        techniques=False,
    )
    pain: dict[int, list] = {}
    for s in sessions:
        if s.has_record and "pain" in values.measures.get(s.record.pk, {}):
            pain[s.pk] = values.measures[s.record.pk]["pain"]
    numbers: dict[int, int] = {}
    counters: dict[int, int] = {}
    for s in reversed(sessions):  # oldest first for numbering within a course
        # Session.number_in_course's rule: no number for cancelled or missed sessions
        if s.course_id and s.status not in (Session.Status.CANCELLED, Session.Status.NO_SHOW):
            counters[s.course_id] = counters.get(s.course_id, 0) + 1
            numbers[s.pk] = counters[s.course_id]
    course_url = url_for_each("courses:detail")
    record_url = url_for_each("records:edit")
    for s in sessions:
        # The history's links, without a {% url %} (a reverse()) per row and link.
        s.course_url = course_url(s.course_id) if s.course_id else ""
        s.record_url = record_url(s.pk)
        if s.practice_id == client.practice_id:
            s.practice = client.practice  # the one loaded (the course charts read it)
        s.local = s.starts_at.astimezone(zone)
        s.pain_before, s.pain_after = pain.get(s.pk, (None, None))
        s.number = numbers.get(s.pk)
    for course in courses:
        # The course chart reads the course's practice: the one loaded (no query).
        if course.practice_id == client.practice_id:
            course.practice = client.practice
        befores = [
            s.pain_before
            for s in reversed(sessions)
            if s.course_id == course.pk and s.pain_before is not None
        ]
        course.pain_first = befores[0] if befores else None
        course.pain_latest = befores[-1] if len(befores) > 1 else None
        if course.pk in charted:
            # The chart's rows from the sessions and values loaded above (its
            # non-cancelled sessions, oldest first): one query (tension) instead of the
            # course's own table.
            course.chart_rows = rows = measure_rows(
                [
                    s
                    for s in reversed(sessions)
                    if s.course_id == course.pk and s.status != Session.Status.CANCELLED
                ],
                techniques=False,
                values=values,
            )
            course.chart_followups = follow_ups_of(rows)  # loaded with the sessions
    # The newest intake with its answers: the flags and the intake card from one load.
    intake = newest_intake(client) if clinical else None
    upcoming = [s for s in reversed(sessions) if s.starts_at >= now and s.status == "booked"]
    history = [s for s in sessions if not (s.starts_at >= now and s.status == "booked")]
    # Their therapists and rooms (read without them): the courses' therapists and the
    # signed-in one are known.
    attach_therapists_and_rooms(upcoming, [*(c.therapist for c in courses), request.staff])
    return render(
        request,
        "clients/detail.html",
        {
            "nav": "clients",
            "client": client,
            "clinical": clinical,
            # Loaded once for the heading's badge and the intake card.
            "flags": intake_flags(intake),
            "intake": intake or False,  # False: loaded, there is none
            "courses": courses,
            "upcoming": upcoming,
            "history": history,
            "history_rows": _history_rows(history, clinical=clinical),
        },
    )


@staff_required(perm=Perm.CLIENT_CONTACT)
@require_http_methods(["GET", "POST"])
def client_new(request: HttpRequest) -> HttpResponse:
    form = ClientForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        client = client_create(practice=request.practice, data=form.cleaned_data)
        messages.success(request, _("Client %(name)s added.") % {"name": client.full_name})
        return redirect("clients:detail", client.pk)
    return render(
        request,
        "clients/form.html",
        {"nav": "clients", "form": form, "client": None},
        status=400 if form.is_bound else 200,
    )


@staff_required(perm=Perm.CLIENT_CONTACT)
@require_http_methods(["GET", "POST"])
def client_edit(request: HttpRequest, pk: int) -> HttpResponse:
    client = access_client(request, pk, audit_what="client edit form")
    form = ClientForm(request.POST if request.method == "POST" else None, instance=client)
    if request.method == "POST" and form.is_valid():
        client_update(client=client, data=form.cleaned_data)
        messages.success(request, _("Changes saved."))
        return redirect("clients:detail", client.pk)
    if form.is_bound:
        # The instance was changed in memory by the failed validation; the page heading
        # must show the stored name.
        client.refresh_from_db()
    return render(
        request,
        "clients/form.html",
        {"nav": "clients", "form": form, "client": client},
        status=400 if form.is_bound else 200,
    )
