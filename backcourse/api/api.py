"""The JSON API (version 1) for integrations: django-ninja, OpenAPI at /api/v1/openapi.json.

Every operation runs as a staff member (token or session, see `auth.py`) and fetches
through `practices.access`, so another practice's objects answer 404 exactly like
missing ones, and reads of health data are audited. Times are ISO 8601 in UTC.
"""

import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any, NamedTuple

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Query, Schema
from ninja.errors import HttpError, ValidationError

from backcourse.api.auth import BearerToken, StaffSession
from backcourse.api.errors import ERRORS, ErrorOut
from backcourse.audit.models import AccessEvent
from backcourse.audit.services import access_event_record, access_events_record_many
from backcourse.clients.models import client_name
from backcourse.courses.models import Course
from backcourse.measures.models import MeasureDefinition
from backcourse.measures.validation import measure_value_error, measure_value_stored
from backcourse.outcomes import selectors as outcomes
from backcourse.practices.access import (
    access_client,
    access_course,
    access_session,
    clinical_client_ids,
    scoped_clients,
    scoped_sessions,
)
from backcourse.practices.models import staff_name
from backcourse.practices.roles import Perm
from backcourse.records.models import Measurement
from backcourse.records.selectors import course_measure_table
from backcourse.records.services import (
    MeasureValue,
    RecordConflict,
    RecordRefused,
    session_record_measures_set,
)
from backcourse.scheduling.models import Session
from backcourse.security.limits import FIRST_DATE, LAST_DATE, date_is_plausible

api = NinjaAPI(
    title="Backcourse API",
    version="1",
    description=(
        "JSON API for integrations. Authenticate with `Authorization: Bearer <token>` "
        "(create a token on the “API tokens” page) or, in the browser, with your staff "
        "session. Every object belongs to your practice; others answer 404. Times are "
        "ISO 8601 in UTC."
    ),
    auth=[BearerToken(), StaffSession()],
    urls_namespace="api",
)


@api.exception_handler(PermissionDenied)
def _forbidden(request: HttpRequest, exc: PermissionDenied):
    """A role without the permission (practices/roles.py): 403, as JSON."""
    return api.create_response(request, {"detail": str(exc)}, status=403)


MAX_LIMIT = 200
MAX_OFFSET = 1_000_000  # beyond any practice's rows; larger numbers crash databases
LocalDate = date  # a field named "date" must not shadow its own type
MAX_RANGE_DAYS = 366


# --------------------------------------------------------------------------- schemas


class Page(Schema):
    count: int = Field(description="Total number of matching objects.")
    limit: int
    offset: int


class ClientOut(Schema):
    id: int
    first_name: str
    last_name: str
    email: str
    phone: str
    date_of_birth: date | None
    is_archived: bool
    created_at: datetime


class ClientPage(Page):
    items: list[ClientOut]


class CourseSummary(Schema):
    id: int
    complaint: str | None = Field(
        description="Clinical: null for a token whose role may not read this client's "
        "clinical data (front desk; a therapist limited to their own clients)."
    )
    status: str
    phase: str
    started_on: date


class ClientDetailOut(ClientOut):
    notes: str
    courses: list[CourseSummary]


class MeasurePair(Schema):
    before: float | None
    after: float | None


class CourseSessionOut(Schema):
    id: int
    number: int | None = Field(
        description="The session's number in the course: 1-based among the course's sessions "
        "that were neither cancelled nor missed; null for a no-show (the same numbers as the "
        "course page, its chart, the PDF and the client's own page)."
    )
    date: LocalDate = Field(description="The session's date in the practice's time zone.")
    starts_at: datetime
    status: str
    measures: dict[str, MeasurePair] = Field(description="Measure code → before/after.")
    tension_sum: int | None


class Goal(Schema):
    measure: str
    kind: str
    value: float


class CourseOut(Schema):
    id: int
    client_id: int
    therapist_id: int
    therapist: str
    complaint: str
    goal: Goal
    planned_sessions: int | None
    intensive_interval_days: int
    maintenance_interval_days: int
    phase: str
    status: str
    started_on: date
    target_muscles: list[str]
    sessions: list[CourseSessionOut]


class EffectOut(Schema):
    course_id: int
    measure: str
    goal: float | None = Field(description="The goal on this measure's scale, if any.")
    effect: dict[str, Any] = Field(
        description="Immediate and lasting relief, retention, relapse per day, the fitted "
        "course curve and predictions; descriptive statistics, never a diagnosis."
    )


class Person(Schema):
    id: int
    name: str


class SessionOut(Schema):
    id: int
    starts_at: datetime
    ends_at: datetime
    duration_minutes: int
    status: str
    client: Person
    therapist: Person
    course_id: int | None
    room: str | None


class SessionPage(Page):
    items: list[SessionOut]


class MeasuresIn(Schema):
    pain_before: Decimal | None = None
    pain_after: Decimal | None = None
    stress_before: Decimal | None = None
    stress_after: Decimal | None = None
    version: int | None = Field(
        None,
        description="The record version you last read (0: no record yet). When given, "
        "the write is refused with 409 if the record changed since.",
    )


class MeasuresOut(Schema):
    session_id: int
    version: int
    measures: dict[str, MeasurePair]


# --------------------------------------------------------------------------- helpers


def _field_error(where: str, name: str, message: str) -> dict:
    return {"type": "value_error", "loc": [where, name], "msg": str(message)}


def _f(v) -> float | None:
    return None if v is None else float(v)


def _finite(obj):
    """JSON has no NaN or infinity: the maths module's "not available" becomes null."""
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if isinstance(obj, dict):
        return {k: _finite(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_finite(v) for v in obj]
    return obj


def _client_out(client) -> dict:
    return {
        "id": client.pk,
        "first_name": client.first_name,
        "last_name": client.last_name,
        "email": client.email,
        "phone": client.phone,
        "date_of_birth": client.date_of_birth,
        "is_archived": client.is_archived,
        "created_at": client.created_at,
    }


def _parse_instant(raw: str, name: str, *, end: bool) -> datetime:
    """An ISO date (a whole UTC day) or datetime (without offset: UTC)."""
    raw = raw.strip()
    try:
        if len(raw) == 10:
            day = date.fromisoformat(raw)
            at = datetime.combine(day, time.min, tzinfo=UTC)
            if date_is_plausible(day):
                return at + timedelta(days=1) if end else at
        at = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(
            [
                _field_error(
                    "query",
                    name,
                    _(
                        "“%(value)s” is not an ISO 8601 date or date-time, "
                        "e.g. 2026-11-02 or 2026-11-02T09:00:00Z."
                    )
                    % {"value": raw[:40]},
                )
            ]
        ) from exc
    if not date_is_plausible(at):
        raise ValidationError(
            [
                _field_error(
                    "query",
                    name,
                    _("Give a date between %(first)s and %(last)s.")
                    % {"first": FIRST_DATE.isoformat(), "last": LAST_DATE.isoformat()},
                )
            ]
        )
    if timezone.is_naive(at):
        at = at.replace(tzinfo=UTC)
    return at.astimezone(UTC)


def _measure_values(payload: MeasuresIn) -> list[MeasureValue]:
    wanted = {
        "pain_before": ("pain", Measurement.Moment.BEFORE),
        "pain_after": ("pain", Measurement.Moment.AFTER),
        "stress_before": ("stress", Measurement.Moment.BEFORE),
        "stress_after": ("stress", Measurement.Moment.AFTER),
    }
    measures = {m.code: m for m in MeasureDefinition.objects.filter(code__in=["pain", "stress"])}
    errors, values = [], []
    for name, (code, moment) in wanted.items():
        value = getattr(payload, name)
        if value is None:
            continue
        measure = measures.get(code)
        message = (
            measure_value_error(measure, value)
            if measure is not None
            else _("This measure is not in use.")
        )
        if message:
            errors.append(_field_error("body", name, message))
        else:
            values.append(
                MeasureValue(measure=measure, moment=moment, value=measure_value_stored(value))
            )
    if errors:
        raise ValidationError(errors)
    return values


def _require_json_object_with_values(request: HttpRequest) -> None:
    """django-ninja reads a body that is not an object (`[]`, `"x"`, `1`) as an empty
    one; refuse it, and a body with no value at all, instead of saving nothing as a new
    version."""
    import json

    try:
        body = json.loads(request.body or b"null")
    except ValueError:
        body = None
    names = set(MeasuresIn.model_fields) - {"version"}
    if not isinstance(body, dict):
        raise ValidationError(
            [_field_error("body", "payload", _('Send a JSON object, e.g. {"pain_after": 3}.'))]
        )
    if not any(body.get(name) is not None for name in names):
        raise ValidationError(
            [
                _field_error(
                    "body",
                    "payload",
                    _("Send at least one of %(names)s.") % {"names": ", ".join(sorted(names))},
                )
            ]
        )


def _record_measures(record) -> dict[str, dict]:
    out: dict[str, dict] = {}
    for m in record.measurements.select_related("measure").order_by("measure__order"):
        pair = out.setdefault(m.measure.code, {"before": None, "after": None})
        pair[m.moment] = float(m.value)
    return out


# --------------------------------------------------------------------------- clients


@api.get("/clients", response={200: ClientPage, **ERRORS}, tags=["clients"], url_name="clients")
def client_list(
    request: HttpRequest,
    q: str = Query("", description="Words to find in name, email or phone."),
    archived: bool = Query(False, description="List archived clients instead."),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    clients = scoped_clients(request).filter(is_archived=archived).search(q[:200])
    count = clients.count()
    page = list(clients[offset : offset + limit])
    access_events_record_many(request=request, clients=page, what="API: client list")
    items = [_client_out(c) for c in page]
    return {"count": count, "limit": limit, "offset": offset, "items": items}


@api.get(
    "/clients/{client_id}",
    response={200: ClientDetailOut, **ERRORS},
    tags=["clients"],
    url_name="client",
)
def client_detail(request: HttpRequest, client_id: int):
    client = access_client(request, client_id, audit_what="API: client")
    courses = Course.objects.filter(client=client).order_by("-started_on", "-id")
    clinical = bool(clinical_client_ids(request.staff, {client.pk}))
    return {
        **_client_out(client),
        "notes": client.notes,
        "courses": [
            {
                "id": c.pk,
                "complaint": c.complaint if clinical else None,
                "status": c.status,
                "phase": c.phase,
                "started_on": c.started_on,
            }
            for c in courses
        ],
    }


# --------------------------------------------------------------------------- courses


@api.get(
    "/courses/{course_id}",
    response={200: CourseOut, **ERRORS},
    tags=["courses"],
    url_name="course",
)
def course_detail(request: HttpRequest, course_id: int):
    course = access_course(request, course_id, audit_what="API: course")
    rows = course_measure_table(course)
    return {
        "id": course.pk,
        "client_id": course.client_id,
        "therapist_id": course.therapist_id,
        "therapist": course.therapist.name,
        "complaint": course.complaint,
        "goal": {
            "measure": course.goal_measure.code,
            "kind": course.goal_kind,
            "value": float(course.goal_value),
        },
        "planned_sessions": course.planned_sessions,
        "intensive_interval_days": course.intensive_interval_days,
        "maintenance_interval_days": course.maintenance_interval_days,
        "phase": course.phase,
        "status": course.status,
        "started_on": course.started_on,
        "target_muscles": [m.code for m in course.target_muscles.all()],
        "sessions": [
            {
                "id": row.session.pk,
                "number": row.number,
                "date": row.date,
                "starts_at": row.session.starts_at,
                "status": row.session.status,
                "measures": {
                    code: {"before": _f(b), "after": _f(a)} for code, (b, a) in row.measures.items()
                },
                "tension_sum": row.tension_sum,
            }
            for row in rows
        ],
    }


@api.get(
    "/courses/{course_id}/effect",
    response={200: EffectOut, **ERRORS},
    tags=["courses"],
    url_name="course_effect",
)
def course_effect_detail(
    request: HttpRequest,
    course_id: int,
    measure: str = Query("pain", description="A measure code, e.g. pain, stress, tension_sum."),
):
    course = access_course(request, course_id)
    code = measure.strip()
    if code != outcomes.TENSION_SUM and outcomes.measure_definition(code) is None:
        raise ValidationError(
            [
                _field_error(
                    "query",
                    "measure",
                    _("“%(code)s” is not a known measure.") % {"code": code[:50]},
                )
            ]
        )
    access_event_record(request=request, client=course.client, what=f"API: course effect ({code})")
    rows = outcomes.course_rows(course)
    points = outcomes.course_points(course, code, rows=rows)
    effect = outcomes.course_effect(course, code, request=request, rows=rows)
    return {
        "course_id": course.pk,
        "measure": code,
        "goal": outcomes.course_goal(course, code, points),
        "effect": _finite(effect.to_dict()),
    }


# --------------------------------------------------------------------------- sessions


# The columns a session list item shows, read as values (a page of 100 sessions as
# model rows with their client, therapist, user and room cost ~3 ms of CPU more); the
# names are made by the models' own rules (client_name, staff_name).
SESSION_ITEM_COLUMNS = (
    *("id", "starts_at", "ends_at", "duration_minutes", "status", "course_id"),
    *("client_id", "client__first_name", "client__last_name", "client__practice_id"),
    *("therapist_id", "therapist__display_name"),
    *("therapist__user__first_name", "therapist__user__last_name", "therapist__user__username"),
    "room__name",
)


class _ClientRef(NamedTuple):
    """What the audit reads of a listed client."""

    pk: int
    practice_id: int


@api.get(
    "/sessions",
    response={200: SessionPage, **ERRORS},
    tags=["sessions"],
    url_name="sessions",
)
def session_list(
    request: HttpRequest,
    starts_from: str | None = Query(
        None,
        alias="from",
        description="ISO date or date-time (UTC if no offset); default: today 00:00 UTC.",
    ),
    starts_to: str | None = Query(
        None,
        alias="to",
        description="ISO date (that whole day included) or date-time (excluded); "
        "default: 7 days after `from`.",
    ),
    status: Session.Status | None = None,
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
):
    if starts_from:
        start = _parse_instant(starts_from, "from", end=False)
    else:
        start = datetime.combine(timezone.now().astimezone(UTC).date(), time.min, tzinfo=UTC)
    end = _parse_instant(starts_to, "to", end=True) if starts_to else start + timedelta(days=7)
    if end <= start:
        raise ValidationError([_field_error("query", "to", _("“to” must be after “from”."))])
    if end - start > timedelta(days=MAX_RANGE_DAYS):
        raise ValidationError(
            [
                _field_error(
                    "query",
                    "to",
                    _("Ask for at most %(days)s days at a time.") % {"days": MAX_RANGE_DAYS},
                )
            ]
        )
    sessions = (
        scoped_sessions(request)
        .filter(starts_at__gte=start, starts_at__lt=end)
        .select_related(None)
    )
    if status:
        sessions = sessions.filter(status=status)
    sessions = sessions.order_by("starts_at", "id")
    count = sessions.count()
    # Only what the items show: not the course or the practice, and of the client,
    # therapist and room only the columns the items name.
    page = list(sessions.values_list(*SESSION_ITEM_COLUMNS)[offset : offset + limit])
    access_events_record_many(
        request=request,
        clients=[_ClientRef(row[6], row[9]) for row in page],
        what="API: session list",
    )
    items = [
        {
            "id": pk,
            "starts_at": starts_at,
            "ends_at": ends_at,
            "duration_minutes": duration,
            "status": status_value,
            "client": {"id": client_id, "name": client_name(first, last)},
            "therapist": {"id": therapist_id, "name": staff_name(*staff_names)},
            "course_id": course_id,
            "room": room,
        }
        for (
            pk,
            starts_at,
            ends_at,
            duration,
            status_value,
            course_id,
            client_id,
            first,
            last,
            _practice_id,
            therapist_id,
            *staff_names,
            room,
        ) in page
    ]
    # The items are built here from typed columns, in SessionPage's shape and order; ninja
    # would validate each of them again field by field (about half of this endpoint's
    # time for a page of 100). The schema still documents the answer, and a test checks
    # that the answer is what the schema makes of it.
    return api.create_response(
        request, {"count": count, "limit": limit, "offset": offset, "items": items}, status=200
    )


@api.post(
    "/sessions/{session_id}/measures",
    response={200: MeasuresOut, 409: ErrorOut, **ERRORS},
    tags=["sessions"],
    url_name="session_measures",
)
def session_measures(request: HttpRequest, session_id: int, payload: MeasuresIn):
    """Set pain and stress before/after the session. Omitted or null values are left as
    they are; notes and other measures are kept. Nothing is saved if any value is
    invalid, or the body is not a JSON object with at least one value (422, with an
    error per field)."""
    session = access_session(request, session_id, perm=Perm.CLINICAL_WRITE)
    _require_json_object_with_values(request)
    values = _measure_values(payload)
    try:
        with transaction.atomic():  # the measures and their audit row land together
            record = session_record_measures_set(
                session=session,
                values=values,
                user=request.user,
                expected_version=payload.version,
            )
            access_event_record(
                request=request,
                client=session.client,
                what=f"API: measures of session {session.pk}",
                action=AccessEvent.Action.CHANGE,
            )
    except RecordRefused as exc:
        # Consent and the held-session rule: the record form's words, exactly.
        raise HttpError(409, exc.message) from exc
    except RecordConflict as exc:
        raise HttpError(
            409, _("The record of this session changed since you read it; read it again.")
        ) from exc
    return {
        "session_id": session.pk,
        "version": record.version,
        "measures": _record_measures(record),
    }


api.add_router("/billing", "backcourse.billing.api.router")  # invoices, payments, packages
