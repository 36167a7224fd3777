"""Writes of session records.

`session_record_save` is the one way a record is created or changed from the record
form. It guards against lost notes with an optimistic version check: the form posts the
version it was loaded with, and a save only goes through if the record still has that
version; otherwise `RecordConflict` is raised and nothing is written.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from backcourse.billing.services import session_status_changed
from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from backcourse.scheduling.models import Session


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


class RecordConflict(Exception):
    """The record was saved by someone else since the form was loaded."""

    def __init__(self, *, session: Session, expected_version: int):
        super().__init__(f"Record of session {session.pk} changed since version {expected_version}")
        self.session = session
        self.expected_version = expected_version


class ConsentMissing(Exception):
    """The client has not agreed to the practice's current consent texts (portal)."""


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


@transaction.atomic
def session_record_save(
    *, session: Session, data: SessionRecordData, user, expected_version: int
) -> SessionRecord:
    """Create or update the record of `session` from `data`.

    `expected_version` is the record's version when the form was loaded (0 when there
    was no record yet). Raises `RecordConflict` (and writes nothing) when the record has
    been saved since. The version check is a conditional UPDATE, so two concurrent saves
    with the same expected version cannot both succeed (PostgreSQL re-checks the WHERE
    clause after the row lock; SQLite serializes writers).
    """
    from backcourse.portal.consent import consent_missing

    if consent_missing(session.client):
        # Backstop for callers other than the form (whose clean() says the same).
        raise ConsentMissing(
            "No current consent for treatment/health data — ask the client to agree first"
        )
    scalars = {name: getattr(data, name) for name in _SCALAR_FIELDS}
    record = SessionRecord.objects.filter(session=session).first()
    if record is None:
        # Also when expected_version > 0: the record was deleted meanwhile (admin), and
        # nothing can be lost by writing a fresh one.
        try:
            with transaction.atomic():  # savepoint: a concurrent create hits the unique key
                record = SessionRecord.objects.create(
                    session=session, version=1, updated_by=user, **scalars
                )
        except IntegrityError as exc:
            raise RecordConflict(session=session, expected_version=expected_version) from exc
    else:
        changed = SessionRecord.objects.filter(pk=record.pk, version=expected_version).update(
            version=F("version") + 1,
            updated_at=timezone.now(),
            updated_by=user,
            **scalars,
        )
        if not changed:
            raise RecordConflict(session=session, expected_version=expected_version)
        record.refresh_from_db()

    _save_measurements(record, data.measurements)
    _save_tension(record, data.tension)
    record.techniques.set(data.techniques)
    record.muscles_treated.set(data.muscles_treated)

    if session.status in _OPEN_STATUSES:
        Session.objects.filter(pk=session.pk, status__in=_OPEN_STATUSES).update(
            status=Session.Status.COMPLETED
        )
        session_status_changed(session=session, old=session.status, new="completed")
        session.status = Session.Status.COMPLETED
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
