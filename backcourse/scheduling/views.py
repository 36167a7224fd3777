"""The therapist's calendar: the day, the week, booking a session, status buttons."""

import html
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from django.contrib import messages
from django.db.models import Count, Max, Min
from django.db.models.functions import TruncDate
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.template.defaultfilters import time as time_filter
from django.template.loader import get_template
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import time_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext
from django.views.decorators.http import require_http_methods, require_POST

from backcourse.audit.services import access_events_record_many
from backcourse.billing.selectors import fee_notice, package_notice
from backcourse.clients.readiness import forms_missing_by_client
from backcourse.clients.screening import flags_by_client
from backcourse.links import url_for_each
from backcourse.practices.access import (
    access_client,
    access_course,
    access_session,
    clinical_client_ids,
    clinical_ids_of_practice,
    perm_required,
    staff_required,
)
from backcourse.practices.roles import Perm
from backcourse.practices.selectors import practice_staff
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.forms import SessionForm, StatusForm, overrides_confirmed
from backcourse.scheduling.models import Session
from backcourse.scheduling.selectors import calendar_sessions
from backcourse.scheduling.services import session_book, session_status_set
from backcourse.security.limits import FIRST_DATE, LAST_DATE, date_is_plausible
from backcourse.security.redirects import safe_next_url


def _local_today(request: HttpRequest) -> date:
    return timezone.now().astimezone(request.practice.zone).date()


def _parse_date(value: str | None, request: HttpRequest | None = None) -> date | None:
    """The date in `?date=` / `?start=`, or None (today) with a message when it is not
    a date or not a plausible one (security/limits.py)."""
    try:
        day = date.fromisoformat(value) if value else None
    except ValueError:
        day = None
        if request is not None:
            messages.error(
                request, _("“%(value)s” is not a date; showing today.") % {"value": value[:20]}
            )
    if day is not None and not date_is_plausible(day):
        if request is not None:
            messages.error(
                request,
                _("Choose a date between %(first)s and %(last)s; showing today.")
                % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
            )
        return None
    return day


class Therapist(NamedTuple):
    """What the day and week views show of a therapist: a hundred of them in a large
    practice, read as columns rather than as staff and user rows."""

    pk: int
    name: str


def _former_therapists(request: HttpRequest, pks) -> dict[int, Therapist]:
    """Staff with sessions in view who no longer take sessions (or left), named from the
    practice's staff kept in memory (`practice_staff` holds former members too)."""
    members = practice_staff(request.practice)
    return {pk: Therapist(pk, members[pk].name) for pk in pks if pk in members}


def _therapist_filter(request: HttpRequest):
    """(selected value, staff or None for all, choices). Default: my own sessions. The
    choices come from the practice's staff kept in memory (`practice_staff`, in
    StaffMember's order): no query until a colleague is added, renamed or changed."""
    therapists = tuple(
        Therapist(m.pk, m.name)
        for m in practice_staff(request.practice).values()
        if m.is_active and m.takes_sessions
    )
    wanted = request.GET.get("therapist")
    if wanted is None:
        wanted = str(request.staff.pk) if request.staff.takes_sessions else "all"
    chosen = next((t for t in therapists if str(t.pk) == wanted), None)
    if chosen is None:
        wanted = "all"
    return wanted, chosen, therapists


def _therapist_options(request: HttpRequest, therapists, selected: str) -> str:
    """The filter's <option>s, one per therapist (a hundred in a large practice: made
    here in one pass rather than by template tags per option)."""
    me = _("me")
    esc = html.escape
    return mark_safe(  # every value escaped here
        "".join(
            f'<option value="{t.pk}" {"selected" if selected == str(t.pk) else ""}>'
            f"{esc(f'{t.name} ({me})' if t.pk == request.staff.pk else t.name)}</option>"
            for t in therapists
        )
    )


def _bounds(request: HttpRequest, first: date, days: int) -> tuple[datetime, datetime]:
    """UTC instants of local midnight on `first` and `days` days later."""
    zone = request.practice.zone
    start = datetime.combine(first, time.min, tzinfo=zone).astimezone(UTC)
    end = datetime.combine(first + timedelta(days=days), time.min, tzinfo=zone).astimezone(UTC)
    return start, end


def _sessions(
    request: HttpRequest,
    start: datetime,
    end: datetime,
    therapists,
    therapist_ids=None,
    *,
    cards: bool = True,
):
    """Sessions starting in [start, end), of the given therapists (None: all), with their
    number in the course and whether a record exists. With `cards` (the day view's
    session cards) also screening flags, missing forms, status buttons and the move and
    status URLs; the week view's compact entries show none of these. A fixed number of
    queries (`calendar_sessions` reads the rows in one); `therapists` (already loaded for
    the filter) name them."""
    perm_required(request, Perm.SCHEDULE)  # scoped_sessions' rule; the practice's own
    zone = request.practice.zone
    now = timezone.now()
    # Each client's newest intake is read with the rows (flags and missing forms).
    sessions = calendar_sessions(request.practice, start, end, therapist_ids, with_intake=cards)
    client_ids = {s.client_id for s in sessions}
    intakes = {s.client_id: s.newest_intake for s in sessions if cards and s.newest_intake}
    flags = flags_by_client(client_ids, newest=intakes) if cards else {}
    staff = {t.pk: t for t in therapists}
    missing = {s.therapist_id for s in sessions} - staff.keys()
    if missing:  # sessions of staff who no longer take sessions
        staff.update(_former_therapists(request, missing))
    client_url, course_url, record_url, change_url, status_url = (
        url_for_each(name)
        for name in (
            "clients:detail",
            "courses:detail",
            "records:edit",
            "booking:session_change",
            "scheduling:session_status",
        )
    )
    forms = (
        forms_missing_by_client(request.practice, client_ids, with_intake=intakes) if cards else {}
    )
    clinical = clinical_client_ids(request.staff, client_ids)
    # Labels every card repeats, formatted once per distinct value instead of by a
    # template filter per card: the status's name and the local times (`|time`).
    status_label = {value: str(label) for value, label in Session.Status.choices}
    times: dict = {}

    def time_label(moment: datetime) -> str:
        key = (moment.time(), moment.utcoffset())
        if key not in times:
            times[key] = time_filter(moment)
        return times[key]

    for s in sessions:
        # complaint, flag details and record link only where the role matrix allows
        s.clinical = s.client_id in clinical
        s.therapist_name = staff[s.therapist_id].name
        s.client_url = client_url(s.client_id)
        s.course_url = course_url(s.course_id) if s.course_id else ""
        s.record_url = record_url(s.pk)
        s.local = s.starts_at.astimezone(zone)
        s.local_end = s.ends_at.astimezone(zone)
        s.time_label = time_label(s.local)
        s.status_label = status_label[s.status]
        # Session.record_open, asked once with the page's `now`.
        s.record_link = s.clinical and s.record_problem(now) is None
        # The session's number in its course (Session.number_in_course's rule).
        active = s.course_id and s.status not in (
            Session.Status.CANCELLED,
            Session.Status.NO_SHOW,
        )
        s.number = s.earlier_in_course + 1 if active else None
        if not cards:
            continue
        s.end_label = time_label(s.local_end)
        s.change_url = change_url(s.pk)
        s.status_url = status_url(s.pk)
        s.flags = flags[s.client_id]
        s.forms_missing = forms[s.client_id]
        # The model's transition table decides which buttons exist right now.
        s.buttons = [(st, Session.Status(st).label) for st in s.next_statuses(now)]
    return sessions


# A session card of the day view (up to ~12 on the all-therapists day, a therapist's day
# on their own): written from the values `_sessions` prepared, each part escaped, instead
# of by an {% include %} of a template per card. Same HTML as the former template
# `_session_card.html` (tests/scheduling/test_views.py renders it and compares).
SESSION_CARD = """<article class="session status-{status}">
  <div class="session-time">
    <strong>{time}</strong>
    <span class="muted">{end}</span>
  </div>
  <div class="session-main">
    <a class="session-client" href="{client_url}">{client}</a>{flags}
    {forms}
    <div class="session-meta">
      {course}
    </div>
    <div class="session-meta muted">
      {room}
      {therapist}
    </div>
  </div>
  <div class="session-side">
    <span class="badge badge-{status}">{label}</span>
    {side}
  </div>
  {form}
</article>
"""


def _session_cards(request: HttpRequest, sessions, *, show_therapist: bool, back_url=None) -> str:
    """The day's session cards (with their status buttons) as one safe HTML string."""
    esc = html.escape
    word = {
        "forms_both": esc(_("Forms not filled in")),
        "consent": esc(_("Consent not signed")),
        "intake": esc(_("Intake not filled in")),
        "forms_done": esc(_("Forms done")),
        "course": esc(_("Course")),
        "no_course": esc(_("No course")),
        "no_room": esc(_("No room")),
        "move": esc(_("Move")),
    }
    record_label = {True: esc(_("Edit record")), False: esc(_("Record"))}
    session_n = _("session %(n)s")
    of_p = _("of %(p)s")
    button_label = {
        Session.Status.BOOKED: esc(_("Undo no-show")),
        Session.Status.CHECKED_IN: esc(_("Check in")),
        Session.Status.COMPLETED: esc(_("Completed")),
        Session.Status.NO_SHOW: esc(_("No-show")),
    }
    cancel_label = esc(pgettext("cancel a session", "Cancel"))
    token = get_token(request)
    csrf = f'<input type="hidden" name="csrfmiddlewaretoken" value="{esc(token)}">'
    back = esc(back_url or request.get_full_path())
    flags_badge = None
    cards = []
    for s in sessions:
        flags = ""
        if s.clinical:
            flags = " "
            if s.flags:  # rare: the badge's own template (shared with other pages)
                flags_badge = flags_badge or get_template("portal/_flags_badge.html")
                flags += flags_badge.render({"client": s.client, "flags": s.flags})
        forms = ""
        if s.status in (Session.Status.BOOKED, Session.Status.CHECKED_IN):
            missing = s.forms_missing
            if missing:
                if "consent" in missing and "intake" in missing:
                    what = word["forms_both"]
                elif "consent" in missing:
                    what = word["consent"]
                else:
                    what = word["intake"]
                forms = f'<span class="forms-badge forms-missing">{what}</span>'
            else:
                forms = f'<span class="forms-badge forms-done">{word["forms_done"]}</span>'
        if s.course_id:
            what = (
                f'<a href="{esc(s.course_url)}">{esc(s.course.complaint)}</a>'
                if s.clinical
                else word["course"]
            )
            course = what
            # A cancelled or missed session has no number in its course (number_in_course).
            if s.number is not None:
                course += f" · {session_n % {'n': esc(str(s.number))}}"
                if s.course.planned_sessions:
                    course += f" {of_p % {'p': esc(str(s.course.planned_sessions))}}"
        else:
            course = f'<span class="muted">{word["no_course"]}</span>'
        side = ""
        if s.status != Session.Status.CANCELLED:
            move = ""
            if s.is_movable:
                move = (
                    f'<a class="button quiet small" href="{esc(s.change_url)}">{word["move"]}</a>'
                )
            record = ""
            if s.record_link:
                record = (
                    f'<a class="button {"" if s.has_record else "primary"}" '
                    f'href="{esc(s.record_url)}">{record_label[s.has_record]}</a>'
                )
            side = f"\n    {move}\n    {record}\n    "
        form = ""
        if s.buttons:
            buttons = "".join(
                f'<button type="submit" name="status" value="{esc(value)}" class="small'
                f'{" quiet" if value in ("cancelled", "no_show") else ""}">'
                f"{button_label.get(value, cancel_label)}</button>"
                for value, _label in s.buttons
            )
            form = (
                f'\n  <form class="session-actions" method="post" action="{esc(s.status_url)}">'
                f'\n    {csrf}<input type="hidden" name="next" value="{back}">'
                f"\n    {buttons}\n  </form>\n  "
            )
        cards.append(
            SESSION_CARD.format(
                status=esc(s.status),
                time=esc(s.time_label),
                end=esc(s.end_label),
                client_url=esc(s.client_url),
                client=esc(s.client.full_name),
                flags=flags,
                forms=forms,
                course=course,
                room=esc(s.room.name) if s.room_id else word["no_room"],
                therapist=f" · {esc(s.therapist_name)}" if show_therapist else "",
                label=esc(s.status_label),
                side=side,
                form=form,
            )
        )
    return mark_safe("".join(cards))  # every value escaped above


# The all-therapists day shows at most this many session cards when it opens; the other
# therapists' sections are loaded when opened, so the page stays the same size however
# many therapists the practice has.
INLINE_SESSIONS = 12


@dataclass
class DaySection:
    therapist: Therapist
    count: int
    summary: str  # "12 sessions · 08:00–20:00" (local, first start to last end)
    open_label: str  # the link to the therapist's own day, where JavaScript is off
    day_url: str  # this therapist's own day
    part_url: str  # the section's sessions, fetched when it is opened
    sessions: list | None = None  # None: loaded when the section is opened
    cards: str = ""  # the loaded sessions' cards (safe HTML)


# A section not loaded yet: its heading and a link. A hundred of them in a large
# practice, written from parts escaped once instead of by template tags per section.
DAY_SECTION_CLOSED = """
<details class="therapist-day card" data-src="{part_url}">
  <summary><strong>{name}</strong> <span class="muted">{summary}</span></summary>
  <div class="session-list">
    <p class="muted"><a href="{day_url}">{open_label}</a></p>
  </div>
</details>
"""


def _day_sections(request: HttpRequest, start, end, therapists) -> tuple[list[DaySection], str]:
    """One section per therapist with sessions in [start, end): counted in the database;
    the first sections' sessions (up to INLINE_SESSIONS in all) fetched at once. Returns
    (every section, the sections not loaded yet, which follow the loaded ones, as one
    safe HTML string: the template does not loop over a hundred of them)."""
    counts = (
        Session.objects.filter(practice=request.practice, starts_at__gte=start, starts_at__lt=end)
        .order_by()
        .values("therapist_id")
        .annotate(n=Count("pk"), first=Min("starts_at"), last=Max("ends_at"))
    )
    by_id = {row["therapist_id"]: row for row in counts}
    staff = {t.pk: t for t in therapists}
    missing = by_id.keys() - staff.keys()  # sessions of staff no longer taking sessions
    if missing:
        staff.update(_former_therapists(request, missing))
    order = [t.pk for t in therapists] + sorted(missing, key=lambda pk: staff[pk].name)
    # Plain strings for the template: a hundred sections' dates, numbers and plurals
    # formatted by template tags cost more than the rest of the page.
    zone = request.practice.zone
    day = f"{reverse('scheduling:day')}?date={start.astimezone(zone).date().isoformat()}"
    # Translations looked up once, not per section (each lookup is a context-local read).
    open_day = _("Open the day of %(name)s")
    counted: dict[int, str] = {}
    sections = []
    for pk in order:
        if pk not in by_id:
            continue
        row = by_id[pk]
        if row["n"] not in counted:
            counted[row["n"]] = ngettext("%(n)s session", "%(n)s sessions", row["n"]) % {
                "n": row["n"]
            }
        sections.append(
            DaySection(
                therapist=staff[pk],
                count=row["n"],
                summary=f"{counted[row['n']]} · {row['first'].astimezone(zone):%H:%M}–"
                f"{row['last'].astimezone(zone):%H:%M}",
                open_label=open_day % {"name": staff[pk].name},
                day_url=f"{day}&therapist={pk}",
                part_url=f"{day}&therapist={pk}&part=sessions",
            )
        )
    inline, shown = [], 0
    for section in sections:
        if inline and shown + section.count > INLINE_SESSIONS:
            break
        inline.append(section)
        shown += section.count
    closed_html = mark_safe(  # every part escaped here
        "".join(
            DAY_SECTION_CLOSED.format(
                part_url=html.escape(section.part_url),
                name=html.escape(section.therapist.name),
                summary=html.escape(section.summary),
                day_url=html.escape(section.day_url),
                open_label=html.escape(section.open_label),
            )
            for section in sections[len(inline) :]
        )
    )
    if inline:
        grouped: dict[int, list[Session]] = defaultdict(list)
        for s in _sessions(request, start, end, therapists, [sec.therapist.pk for sec in inline]):
            grouped[s.therapist_id].append(s)
        for section in inline:
            section.sessions = grouped[section.therapist.pk]
            section.cards = _session_cards(request, section.sessions, show_therapist=False)
    return sections, closed_html


@staff_required(perm=Perm.SCHEDULE)
def day(request: HttpRequest) -> HttpResponse:
    today = _local_today(request)
    the_day = _parse_date(request.GET.get("date"), request) or today
    selected, therapist, therapists = _therapist_filter(request)
    start, end = _bounds(request, the_day, 1)
    all_url = f"{reverse('scheduling:day')}?date={the_day.isoformat()}&therapist=all"
    if request.GET.get("part") == "sessions" and therapist is not None:
        # One therapist's section of the all-therapists day, loaded when it is opened.
        part = _sessions(request, start, end, therapists, [therapist.pk])
        access_events_record_many(
            request=request, clients=[s.client for s in part], what=f"day view {the_day}"
        )
        return render(
            request,
            "scheduling/_day_sessions.html",
            {
                "sessions": part,
                "cards": _session_cards(request, part, show_therapist=False, back_url=all_url),
            },
        )
    sections, closed_sections = None, ""
    if therapist is None:
        sections, closed_sections = _day_sections(request, start, end, therapists)
        sessions = [s for sec in sections for s in sec.sessions or []]
        total = sum(sec.count for sec in sections)
    else:
        sessions = _sessions(request, start, end, therapists, [therapist.pk])
        total = len(sessions)
    access_events_record_many(
        request=request, clients=[s.client for s in sessions], what=f"day view {the_day}"
    )
    cards = "" if sections else _session_cards(request, sessions, show_therapist=False)
    return render(
        request,
        "scheduling/day.html",
        {
            "nav": "day",
            "day": the_day,
            "today": today,
            "prev_day": the_day - timedelta(days=1),
            "next_day": the_day + timedelta(days=1),
            "sessions": sessions,
            "cards": cards,
            "sections": sections,
            "open_sections": [sec for sec in sections or [] if sec.sessions is not None],
            "closed_sections": closed_sections,
            "total": total,
            "selected": selected,
            "therapist_options": _therapist_options(request, therapists, selected),
            "keep": [("date", the_day.isoformat())],
        },
    )


# Above this many sessions, the all-therapists week shows per day how many sessions each
# therapist has (each a link to that day) instead of every session.
WEEK_INLINE_SESSIONS = 80


# One therapist's count on one day of the busy all-therapists week. Five hundred of
# them in a large practice: written here from parts escaped once (a name per therapist,
# a label per number) instead of by template tags per row.
WEEK_COUNT_ROW = (
    '<div class="week-session"><a href="{url}">{name}</a> '
    '<span class="small muted">{label}</span></div>\n    '
)


def _week_counts(request: HttpRequest, start, end, therapists, by_day: dict[date, str]) -> bool:
    """Fill `by_day` with each day's count rows (counted in the database; one safe HTML
    string per day) when the week holds more than WEEK_INLINE_SESSIONS sessions; False
    (nothing filled) when it does not."""
    zone = request.practice.zone
    rows = list(
        Session.objects.filter(practice=request.practice, starts_at__gte=start, starts_at__lt=end)
        .annotate(day=TruncDate("starts_at", tzinfo=zone))
        .order_by()
        .values_list("day", "therapist_id")
        .annotate(n=Count("pk"))
    )
    if sum(n for _day, _pk, n in rows) <= WEEK_INLINE_SESSIONS:
        return False
    staff = {t.pk: t for t in therapists}
    missing = {pk for _day, pk, _n in rows} - staff.keys()
    if missing:
        staff.update(_former_therapists(request, missing))
    order = {pk: i for i, pk in enumerate(staff)}
    names = {pk: html.escape(t.name) for pk, t in staff.items()}
    labels: dict[int, str] = {}
    base = reverse("scheduling:day")
    parts: dict[date, list[str]] = defaultdict(list)
    for day, pk, n in sorted(rows, key=lambda row: order[row[1]]):
        if n not in labels:
            labels[n] = html.escape(ngettext("%(n)s session", "%(n)s sessions", n) % {"n": n})
        url = html.escape(f"{base}?date={day.isoformat()}&therapist={pk}")
        parts[day].append(WEEK_COUNT_ROW.format(url=url, name=names[pk], label=labels[n]))
    for day, day_rows in parts.items():
        by_day[day] = mark_safe("".join(day_rows))  # every part escaped above
    return True


# One session of the week (up to ~80 on a page): written from the values `_sessions`
# prepared, each part escaped, instead of by template tags per entry.
WEEK_ENTRY = """
    <div class="week-session status-{status}">
      <div><strong>{time}</strong> <a href="{client_url}">{client}</a></div>
      {course}
      <div class="small muted">{room}{therapist}<span class="badge badge-{status}">{label}</span></div>
      {record}
    </div>
    """


def _week_entries(sessions, *, show_therapist: bool) -> str:
    """The day's entries of the week view as one safe HTML string."""
    esc = html.escape
    course_word = esc(_("Course"))
    record_label = {True: esc(_("Edit record")), False: esc(_("Record"))}
    entries = []
    for s in sessions:
        course = ""
        if s.course_id:
            what = (
                f'<a href="{esc(s.course_url)}">{esc(s.course.complaint)}</a>'
                if s.clinical
                else course_word
            )
            # A cancelled or missed session has no number in its course (as on the day's cards).
            number = f" · #{esc(str(s.number))}" if s.number is not None else ""
            course = f'<div class="small">{what}{number}</div>'
        record = ""
        if s.record_link:
            record = (
                f'<a class="small record-link" href="{esc(s.record_url)}">'
                f"{record_label[s.has_record]}</a>"
            )
        entries.append(
            WEEK_ENTRY.format(
                status=esc(s.status),
                time=esc(s.time_label),
                client_url=esc(s.client_url),
                client=esc(s.client.full_name),
                course=course,
                room=f"{esc(s.room.name)} · " if s.room_id else "",
                therapist=f"{esc(s.therapist_name)} · " if show_therapist else "",
                label=esc(s.status_label),
                record=record,
            )
        )
    return mark_safe("".join(entries))  # every value escaped above


@staff_required(perm=Perm.SCHEDULE)
def week(request: HttpRequest) -> HttpResponse:
    today = _local_today(request)
    start = _parse_date(request.GET.get("start"), request) or today
    start -= timedelta(days=start.weekday())  # weeks start on Monday
    selected, therapist, therapists = _therapist_filter(request)
    by_day: dict[date, str] = {}  # a day's entries (or counts) as HTML
    first, last = _bounds(request, start, 7)
    counted = therapist is None and _week_counts(request, first, last, therapists, by_day)
    if not counted:
        chosen = None if therapist is None else [therapist.pk]
        shown = _sessions(request, first, last, therapists, chosen, cards=False)
        access_events_record_many(
            request=request, clients=[s.client for s in shown], what=f"week view {start}"
        )
        grouped: dict[date, list[Session]] = defaultdict(list)
        for s in shown:
            grouped[s.local.date()].append(s)
        for day, entries in grouped.items():
            by_day[day] = _week_entries(entries, show_therapist=therapist is None)
    days = [(start + timedelta(days=i)) for i in range(7)]
    return render(
        request,
        "scheduling/week.html",
        {
            "nav": "week",
            "start": start,
            "end": start + timedelta(days=6),
            "today": today,
            "prev_week": start - timedelta(days=7),
            "next_week": start + timedelta(days=7),
            "days": [(d, by_day.get(d, "")) for d in days],
            "selected": selected,
            "therapist_options": _therapist_options(request, therapists, selected),
            "keep": [("start", start.isoformat())],
        },
    )


@staff_required(perm=Perm.SCHEDULE)
@require_http_methods(["GET", "POST"])
def session_new(request: HttpRequest) -> HttpResponse:
    """Book a session, prefilled from the client or course page (?client= / ?course=)."""
    course = client = None
    if request.GET.get("course"):
        course = access_course(
            request, request.GET["course"], perm=Perm.SCHEDULE, audit_what="session booking form"
        )
        client = course.client
    elif request.GET.get("client"):
        client = access_client(request, request.GET["client"], audit_what="session booking form")
    form_kwargs = {
        "practice": request.practice,
        "client": client,
        "clinical_ids": clinical_ids_of_practice(request.staff),
    }
    overrides = overrides_confirmed(request.POST) if request.method == "POST" else []
    overridable = ""
    if request.method == "POST":
        form = SessionForm(request.POST, **form_kwargs)
        if form.is_valid():
            data = form.cleaned_data
            try:
                session = session_book(
                    practice=request.practice,
                    therapist=data["therapist"],
                    client=data["client"],
                    course=data["course"],
                    room=data["room"],
                    starts_at=form.starts_at(),
                    duration_minutes=data["duration_minutes"],
                    by=request.user,
                    overrides=overrides,
                )
            except SchedulingError as exc:
                form.add_error(None, exc.message)
                overridable = exc.code if exc.overridable else ""
            else:
                messages.success(request, _("Session booked."))
                if notice := package_notice(session):  # the client's package: covered or not
                    messages.info(request, notice)
                local = session.starts_at.astimezone(request.practice.zone)
                return redirect(
                    f"{reverse('scheduling:day')}?date={local.date().isoformat()}"
                    f"&therapist={session.therapist_id}"
                )
        status = 400
    else:
        therapist = (course.therapist if course else None) or (
            request.staff if request.staff.takes_sessions else None
        )
        form = SessionForm(
            initial={
                "therapist": therapist,
                "client": client,
                "course": course,
                "date": _parse_date(request.GET.get("date")) or _local_today(request),
                "duration_minutes": 60,
            },
            **form_kwargs,
        )
        status = 200
    # The course list names each client's complaint: a read of their health data.
    field = form.fields["course"]
    access_events_record_many(
        request=request,
        clients=[
            c.client for c in field.queryset.select_related("client") if field.shows_complaint(c)
        ],
        what="session booking form",
    )
    return render(
        request,
        "scheduling/session_form.html",
        {
            "form": form,
            "client": client,
            "course": course,
            "course_clinical": course is not None and field.shows_complaint(course),
            "nav": "day",
            "overrides": overrides,
            "overridable": overridable,
        },
        status=status,
    )


@staff_required(perm=Perm.SCHEDULE)
@require_POST
def session_status(request: HttpRequest, pk: int) -> HttpResponse:
    session = access_session(request, pk)
    form = StatusForm(request.POST)
    local = session.starts_at.astimezone(request.practice.zone)
    back = safe_next_url(
        request,
        request.POST.get("next"),
        f"{reverse('scheduling:day')}?date={local.date().isoformat()}",
    )
    if not form.is_valid():
        messages.error(request, _("Unknown status."))
        return redirect(back)
    try:
        session_status_set(session=session, status=form.cleaned_data["status"], by=request.user)
    except SchedulingError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(client)s at %(time)s: %(status)s.")
            % {
                "client": session.client.full_name,
                "time": time_format(local),
                "status": session.get_status_display(),
            },
        )
        if notice := fee_notice(session):  # a no-show / late-cancellation fee proposed
            messages.info(request, notice)
    return redirect(back)
