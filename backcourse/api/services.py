"""Writes of the API app: tokens, and measures posted by integrations."""

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from backcourse.api.models import ApiToken, token_generate, token_hash
from backcourse.audit.models import AccessEvent
from backcourse.audit.services import access_event_record
from backcourse.measures.models import MeasureDefinition
from backcourse.practices.models import StaffMember
from backcourse.records.models import Measurement, SessionRecord
from backcourse.scheduling.models import Session

# Writing last_used_at on every request would turn every read into a write; a minute
# is precise enough to see whether a token is still in use.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, staff: StaffMember, name: str) -> tuple[ApiToken, str]:
    """Create a token for `staff`. Returns the row and the token itself (shown once)."""
    token = token_generate()
    row = ApiToken.objects.create(
        staff=staff, name=name.strip(), token_hash=token_hash(token), prefix=token[:7]
    )
    return row, token


@transaction.atomic
def api_token_revoke(*, token: ApiToken) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_lookup(raw: str) -> ApiToken | None:
    """The usable token matching `raw`, marking it used; None if unknown or revoked."""
    if not raw:
        return None
    token = (
        ApiToken.objects.usable()
        .select_related("staff__user", "staff__practice")
        .filter(token_hash=token_hash(raw.strip()))
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


class MeasuresConflict(Exception):
    """The session's record changed since the version the caller read."""


@dataclass(frozen=True)
class MeasureValue:
    measure: MeasureDefinition
    moment: str
    value: Decimal


@transaction.atomic
def session_measures_save(
    *, session: Session, values: list[MeasureValue], user, request, expected_version: int | None
) -> SessionRecord:
    """Set measure values of a session's record (creating the record if needed).

    Only the given values change; notes and other measures are kept. The record's
    version goes up, so a record form opened before this write gets a conflict instead
    of silently overwriting these values (no lost notes). With `expected_version`, the
    write only happens if the record still has that version (0 = no record yet).
    """
    record = SessionRecord.objects.filter(session=session).first()
    if record is None:
        if expected_version not in (None, 0):
            raise MeasuresConflict
        try:
            with transaction.atomic():
                record = SessionRecord.objects.create(session=session, version=1, updated_by=user)
        except IntegrityError as exc:
            raise MeasuresConflict from exc
    else:
        qs = SessionRecord.objects.filter(pk=record.pk)
        if expected_version is not None:
            qs = qs.filter(version=expected_version)
        changed = qs.update(version=F("version") + 1, updated_at=timezone.now(), updated_by=user)
        if not changed:
            raise MeasuresConflict
        record.refresh_from_db()
    for v in values:
        Measurement.objects.update_or_create(
            record=record, measure=v.measure, moment=v.moment, defaults={"value": v.value}
        )
    access_event_record(
        request=request,
        client=session.client,
        what=f"API: measures of session {session.pk}",
        action=AccessEvent.Action.CHANGE,
    )
    return record
