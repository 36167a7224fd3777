"""The one writer of session records: the record form, the API and the client's
check-in all write through here.

    session_record_save(...)          the whole record, from the record form
    session_record_measures_set(...)  some measure values (API, check-in); the rest kept
    records_shift(...)                a practice's record dates N days later (the demo)

Both enforce, in this order and with the same messages:
1. consent — the client has agreed to the practice's current consent texts
   (`RecordRefused`, code CONSENT_MISSING);
2. the held-session rule, `Session.record_problem` — no record for a cancelled or
   missed session or one that has not started (staff may back-enter a past one); the
   check-in may write the "before" values of a checked-in session ahead of its start
   (`RecordRefused` with the scheduling code);
3. the version check — a conditional UPDATE on the record's version, so two tabs get a
   conflict instead of a lost note (`RecordConflict`; nothing written). Every write
   raises the version, so an open form notices any other writer.
Writing a record (other than the check-in) completes a booked or checked-in session,
through `scheduling.services.session_status_set`. Every write sends
`records.signals.record_saved` (inside the transaction): a completed course's stored
figures are refreshed from it (outcomes/signals.py).
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from backcourse.accounts.models import User
from backcourse.clients.consent import consent_missing
from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from backcourse.records.signals import record_saved
from backcourse.scheduling import errors as scheduling_errors
from backcourse.scheduling.models import Session
from backcourse.scheduling.services import session_status_set

CONSENT_MISSING = "consent_missing"
CONSENT_MISSING_MESSAGE = _(
    "No current consent for treatment/health data — ask the client to agree first "
    "(on their client pages, or record a signed paper consent)."
)


@dataclass
class SessionRecordData:
    """What the record form hands to the service, already validated.

    `measurements` and `tension` hold only the measures and regions the form showed;
    values of others (e.g. a measure switched off since) are left alone. A value of
    None (measures) or 0 (tension) means "not recorded" and deletes a stored value.
    """

    measurements: dict[tuple[MeasureDefinition, str], Decimal | None] = field(default_factory=dict)
    tension: dict[MuscleRegion, int] = field(default_factory=dict)
    techniques: list[Technique] = field(default_factory=list)
    pressure: int | None = None
    muscles_treated: list[MuscleRegion] = field(default_factory=list)
    duration_minutes: int | None = None
    subjective: str = ""
    objective: str = ""
    assessment: str = ""
    plan: str = ""


@dataclass(frozen=True)
class MeasureValue:
    """One validated value (see measures/validation.py) for `session_record_measures_set`."""

    measure: MeasureDefinition
    moment: str
    value: Decimal


class RecordConflict(Exception):
    """The record was saved by someone else since the version the writer read."""

    def __init__(self, *, session: Session, expected_version: int | None):
        super().__init__(f"Record of session {session.pk} changed since version {expected_version}")
        self.session = session
        self.expected_version = expected_version


class RecordRefused(Exception):
    """No record may be written for this session now; `message` says why."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def record_refusal(
    session: Session, *, now: datetime, check_in: bool = False
) -> RecordRefused | None:
    """The refusal a write to this session's record would get now, or None. The record
    form shows it in `clean()`; the writers below raise it."""
    if consent_missing(session.client):
        # Only when the practice publishes consent texts; one that publishes none
        # manages consent on paper (see portal/consent.py).
        return RecordRefused(CONSENT_MISSING, str(CONSENT_MISSING_MESSAGE))
    code = session.record_problem(now, check_in=check_in)
    if code:
        return RecordRefused(code, str(scheduling_errors.MESSAGES[code]))
    return None


def _check(session: Session, now: datetime, *, check_in: bool = False) -> None:
    refusal = record_refusal(session, now=now, check_in=check_in)
    if refusal is not None:
        raise refusal


# Sessions in these states become "completed" once their record is saved.
_OPEN_STATUSES = (Session.Status.BOOKED, Session.Status.CHECKED_IN)
_SCALAR_FIELDS = (
    "pressure",
    "duration_minutes",
    "subjective",
    "objective",
    "assessment",
    "plan",
)


def _record_for_write(
    session: Session, *, user: User | None, expected_version: int | None, **scalars: Any
) -> SessionRecord:
    """The session's record after the version check, version raised; created if none.

    `expected_version` is the version the writer read (0: no record yet; None: no
    check, for API callers that do not send one)."""
    record = SessionRecord.objects.filter(session=session).first()
    if record is None:
        # Also when expected_version > 0 from a form: the record was deleted meanwhile
        # (admin), and nothing can be lost by writing a fresh one.
        try:
            with transaction.atomic():  # savepoint: a concurrent create hits the unique key
                return SessionRecord.objects.create(
                    session=session, version=1, updated_by=user, **scalars
                )
        except IntegrityError as exc:
            raise RecordConflict(session=session, expected_version=expected_version) from exc
    rows = SessionRecord.objects.filter(pk=record.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    # PostgreSQL re-checks the WHERE clause after the row lock; SQLite serializes
    # writers: two saves with the same expected version cannot both succeed.
    changed = rows.update(
        version=F("version") + 1, updated_at=timezone.now(), updated_by=user, **scalars
    )
    if not changed:
        raise RecordConflict(session=session, expected_version=expected_version)
    record.refresh_from_db()
    return record


def _complete(session: Session, *, user: User | None, now: datetime) -> None:
    if session.status in _OPEN_STATUSES:
        session_status_set(session=session, status=Session.Status.COMPLETED, by=user, now=now)


@transaction.atomic
def session_record_save(
    *,
    session: Session,
    data: SessionRecordData,
    user: User | None,
    expected_version: int,
    now: datetime | None = None,
) -> SessionRecord:
    """Create or update the whole record of `session` from the record form's `data`.

    `expected_version` is the record's version when the form was loaded (0 when there
    was no record yet). Raises `RecordRefused` or `RecordConflict`; nothing is written
    then."""
    now = now or timezone.now()
    _check(session, now)
    scalars = {name: getattr(data, name) for name in _SCALAR_FIELDS}
    record = _record_for_write(session, user=user, expected_version=expected_version, **scalars)
    _save_measurements(record, data.measurements)
    _save_tension(record, data.tension)
    record.techniques.set(data.techniques)
    record.muscles_treated.set(data.muscles_treated)
    _complete(session, user=user, now=now)
    record_saved.send(sender=SessionRecord, session=session)
    return record


@transaction.atomic
def session_record_measures_set(
    *,
    session: Session,
    values: list[MeasureValue],
    user: User | None,
    expected_version: int | None,
    check_in: bool = False,
    subjective_if_empty: str = "",
    now: datetime | None = None,
) -> SessionRecord:
    """Set some measure values of `session`'s record (creating it if needed); notes and
    other measures are kept. `check_in`: the client's own check-in, which may write
    before the start and does not complete the session. `subjective_if_empty` fills
    the S of SOAP when nobody has written it yet. Refusals as `session_record_save`."""
    now = now or timezone.now()
    _check(session, now, check_in=check_in)
    record = _record_for_write(session, user=user, expected_version=expected_version)
    _save_measurements(record, {(v.measure, v.moment): v.value for v in values})
    if subjective_if_empty and not record.subjective.strip():
        record.subjective = subjective_if_empty
        record.save(update_fields=["subjective"])
    if not check_in:
        _complete(session, user=user, now=now)
    record_saved.send(sender=SessionRecord, session=session)
    return record


def _save_measurements(
    record: SessionRecord, values: dict[tuple[MeasureDefinition, str], Decimal | None]
) -> None:
    existing = {(m.measure_id, m.moment): m for m in record.measurements.all()}
    to_create, to_update, to_delete = [], [], []
    for (measure, moment), value in values.items():
        current = existing.get((measure.pk, moment))
        if value is None:
            if current is not None:
                to_delete.append(current.pk)
        elif current is None:
            to_create.append(
                Measurement(record=record, measure=measure, moment=moment, value=value)
            )
        elif current.value != value:
            current.value = value
            to_update.append(current)
    if to_delete:
        Measurement.objects.filter(pk__in=to_delete).delete()
    if to_update:
        Measurement.objects.bulk_update(to_update, ["value"])
    if to_create:
        Measurement.objects.bulk_create(to_create)


def _save_tension(record: SessionRecord, levels: dict[MuscleRegion, int]) -> None:
    # Level 0 ("no tension") is not stored: a region without a row reads as 0.
    existing = {t.region_id: t for t in record.tension.all()}
    to_create, to_update, to_delete = [], [], []
    for region, level in levels.items():
        current = existing.get(region.pk)
        if not level:
            if current is not None:
                to_delete.append(current.pk)
        elif current is None:
            to_create.append(TensionReading(record=record, region=region, level=level))
        elif current.level != level:
            current.level = level
            to_update.append(current)
    if to_delete:
        TensionReading.objects.filter(pk__in=to_delete).delete()
    if to_update:
        TensionReading.objects.bulk_update(to_update, ["level"])
    if to_create:
        TensionReading.objects.bulk_create(to_create)


def records_shift(*, practice: Any, days: int) -> int:
    """Move when a practice's records were written `days` later (the demo practice,
    re-anchored to today, with its sessions). Contents and versions are unchanged."""
    shift = timedelta(days=days)
    return SessionRecord.objects.filter(session__practice=practice).update(
        created_at=F("created_at") + shift, updated_at=F("updated_at") + shift
    )
