"""Writes on the client side. Keyword-only, one transaction each, emails queued on
commit (notifications/outbox.py).

Each service raises PortalError with a message for the person in front of the screen
when the input is bad; then nothing has changed.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext as _

from backcourse.clients.consent import consent_current_texts
from backcourse.clients.models import (
    Client,
    ConsentRecord,
    Intake,
    ScreeningAnswer,
    ScreeningQuestion,
)
from backcourse.courses.models import Course
from backcourse.measures.models import MeasureDefinition
from backcourse.measures.validation import measure_value_error
from backcourse.notifications import emails
from backcourse.notifications.outbox import email_queue
from backcourse.portal.erasure import erasure_revoke_access
from backcourse.portal.models import (
    CheckIn,
    EmailToken,
    ErasureRequest,
    FollowUp,
    QuestionnaireResponse,
    SignInRequest,
)
from backcourse.portal.questionnaires import INSTRUMENTS, QuestionnaireError, questionnaire_score
from backcourse.portal.tokens import token_hash, token_new
from backcourse.records.models import Measurement, SessionRecord
from backcourse.records.services import (
    MeasureValue,
    RecordConflict,
    RecordRefused,
    session_record_measures_set,
)
from backcourse.scheduling import errors
from backcourse.scheduling import services as scheduling
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Session, SessionType
from backcourse.scheduling.selectors import available_slots

SIGN_IN_LINK_MINUTES = 30
FOLLOW_UP_LINK_DAYS = 4


class PortalError(Exception):
    """Bad input or a request that is not allowed now; `str(exc)` is for the user."""


class TooManySignInRequests(PortalError):
    """Too many sign-in links asked for one address or from one network lately. The
    message is the same whether or not the address belongs to a client."""

    def __init__(self):
        super().__init__(
            _(
                "Too many sign-in links have been asked for this address or from your "
                "network in the last 15 minutes. Nothing was sent. Please wait a few "
                "minutes and try again."
            )
        )


def _base(base_url: str | None) -> str:
    return (base_url or settings.SITE_URL).rstrip("/")


# --- Sign-in by emailed link ---------------------------------------------------------


SIGN_IN_RATE_WINDOW = timedelta(minutes=15)


def _signin_rate_check(*, email: str, requested_ip: str | None, now) -> None:
    """Count the requests of the last 15 minutes in the database (so the limit holds
    across app servers), known addresses or not; forget older ones. 0 turns a limit off."""
    since = now - SIGN_IN_RATE_WINDOW
    SignInRequest.objects.filter(created_at__lte=since).delete()
    recent = SignInRequest.objects.filter(created_at__gt=since, created_at__lte=now)
    per_email = settings.SIGNIN_LINKS_PER_EMAIL_15MIN
    if per_email and recent.filter(email=email).count() >= per_email:
        raise TooManySignInRequests()
    per_ip = settings.SIGNIN_LINKS_PER_IP_15MIN
    if per_ip and requested_ip and recent.filter(requested_ip=requested_ip).count() >= per_ip:
        raise TooManySignInRequests()


@transaction.atomic
def signin_link_send(
    *, email: str, base_url: str | None = None, requested_ip: str | None = None, now=None
) -> int:
    """Email a single-use sign-in link to every client with this address. Returns how
    many were sent; the page says the same thing either way (no address probing).
    Raises TooManySignInRequests (nothing recorded, nothing sent) over the rate limit."""
    now = now or timezone.now()
    email = (email or "").strip()
    if not email:
        return 0
    _signin_rate_check(email=email.lower(), requested_ip=requested_ip, now=now)
    SignInRequest.objects.create(
        email=email.lower(), requested_ip=requested_ip or None, created_at=now
    )
    clients = Client.objects.filter(email__iexact=email, is_archived=False).select_related(
        "practice"
    )
    sent = 0
    for client in clients:
        secret, hashed = token_new()
        EmailToken.objects.create(
            client=client,
            purpose=EmailToken.Purpose.SIGN_IN,
            token_hash=hashed,
            created_at=now,
            expires_at=now + timedelta(minutes=SIGN_IN_LINK_MINUTES),
        )
        link = _base(base_url) + reverse("portal:link", args=[secret])
        email_queue(emails.signin_link(client=client, link=link, minutes=SIGN_IN_LINK_MINUTES))
        sent += 1
    return sent


def _token_for_update(secret: str, purpose: str) -> EmailToken:
    try:
        return (
            EmailToken.objects.select_for_update(of=("self",))
            .select_related("client", "client__practice", "session")
            .get(token_hash=token_hash(secret or ""), purpose=purpose)
        )
    except EmailToken.DoesNotExist as exc:
        raise PortalError(_("This link is not valid. Please ask for a new one.")) from exc


def _check_token(token: EmailToken, now: datetime) -> None:
    if token.used_at is not None:
        raise PortalError(_("This link has already been used. Please ask for a new one."))
    if token.expires_at <= now:
        raise PortalError(_("This link has expired. Please ask for a new one."))
    if token.client.is_archived:
        raise PortalError(_("This link is not valid. Please ask for a new one."))


def signin_link_path(*, client: Client, now=None) -> str:
    """A single-use sign-in link for a client who has just proved their address another
    way (the private link of an online booking opens the forms before the visit)."""
    now = now or timezone.now()
    secret, hashed = token_new()
    EmailToken.objects.create(
        client=client,
        purpose=EmailToken.Purpose.SIGN_IN,
        token_hash=hashed,
        created_at=now,
        expires_at=now + timedelta(minutes=SIGN_IN_LINK_MINUTES),
    )
    return reverse("portal:link", args=[secret])


def signin_token_peek(*, secret: str, now=None) -> EmailToken:
    """Check a sign-in link without using it (the GET shows a button; mail scanners
    that follow links must not burn it)."""
    now = now or timezone.now()
    with transaction.atomic():
        token = _token_for_update(secret, EmailToken.Purpose.SIGN_IN)
        _check_token(token, now)
    return token


@transaction.atomic
def signin_token_use(*, secret: str, now=None):
    """Use a sign-in link once; returns the client's User (created on first use)."""
    now = now or timezone.now()
    token = _token_for_update(secret, EmailToken.Purpose.SIGN_IN)
    _check_token(token, now)
    token.used_at = now
    token.save(update_fields=["used_at"])
    client = token.client
    if client.user_id is None:
        User = get_user_model()  # noqa: N806
        user = User(
            username=f"client-{client.pk}-{get_random_string(6).lower()}",
            email=client.email,
            first_name=client.first_name,
            last_name=client.last_name,
        )
        user.set_unusable_password()
        user.save()
        client.user = user
        client.save(update_fields=["user"])
    return client.user


# --- Consent -------------------------------------------------------------------------


@transaction.atomic
def consent_agree(
    *, client: Client, text_ids, via: str = ConsentRecord.Via.ONLINE, by_user=None, now=None
) -> list[ConsentRecord]:
    """Record agreement to current consent texts. Only the practice's current versions
    are accepted; anything else (an old or foreign version, a tampered id) changes
    nothing."""
    now = now or timezone.now()
    current = {t.pk: t for t in consent_current_texts(client.practice, now=now)}
    try:
        wanted = {int(i) for i in text_ids}
    except (TypeError, ValueError) as exc:
        raise PortalError(_("The form was changed; please try again.")) from exc
    if not wanted or not wanted <= set(current):
        raise PortalError(
            _("These texts are not the current ones; please read the page again and agree.")
        )
    records = []
    for pk in sorted(wanted):
        record, _new = ConsentRecord.objects.get_or_create(
            client=client,
            text=current[pk],
            defaults={"agreed_at": now, "via": via, "recorded_by": by_user},
        )
        records.append(record)
    return records


# --- Intake --------------------------------------------------------------------------


@transaction.atomic
def intake_submit(
    *, client: Client, complaint: str, regions, history: str, medication: str, answers: dict
) -> Intake:
    """Save an intake. `answers` maps every active screening question's id to True/False."""
    questions = list(
        ScreeningQuestion.objects.filter(practice=client.practice, is_active=True).order_by(
            "order", "id"
        )
    )
    if {q.pk for q in questions} != set(answers):
        raise PortalError(_("Please answer every screening question with yes or no."))
    if any(r.pk is None for r in regions):
        raise PortalError(_("Unknown body region."))
    intake = Intake.objects.create(
        client=client, complaint=complaint, history=history, medication=medication
    )
    intake.regions.set(regions)
    ScreeningAnswer.objects.bulk_create(
        ScreeningAnswer(
            intake=intake,
            question=q,
            question_text=q.text,
            kind=q.kind,
            advice=q.advice,
            answer=bool(answers[q.pk]),
        )
        for q in questions
    )
    return intake


# --- Check-in before a session ------------------------------------------------------


def checkin_is_open(session: Session, now=None) -> bool:
    """The check-in form is offered while the session may become "checked in" (the
    model's rule), and stays open to corrections once it is."""
    now = now or timezone.now()
    if session.status == Session.Status.CHECKED_IN:
        return session.starts_at - Session.CHECK_IN_OPENS <= now <= session.ends_at
    return session.can_become(Session.Status.CHECKED_IN, now)


@dataclass
class CheckInResult:
    check_in: CheckIn
    kept: list[str]  # measure labels where the therapist's value was kept


@transaction.atomic
def checkin_save(
    *, session: Session, pain: int, stress: int, note: str = "", now=None
) -> CheckInResult:
    """Store the client's check-in, mark the session checked in, and make the answers
    the session's "before" pain and stress — through the record writer (consent,
    version raised so an open record form notices).

    A value the therapist has already entered is not overwritten; the result lists it so
    the page can say so (the client's answer is still kept on the check-in).
    """
    now = now or timezone.now()
    session = Session.objects.select_for_update().select_related("practice").get(pk=session.pk)
    if not checkin_is_open(session, now):
        code = session.transition_problem(Session.Status.CHECKED_IN, now)
        if code in (None, errors.SAME_STATUS):
            code = errors.CHECK_IN_NOT_OPEN
        raise PortalError(
            SchedulingError(code, params=session.status_error_params(Session.Status.CHECKED_IN))
        )
    measures = {m.code: m for m in MeasureDefinition.objects.filter(code__in=["pain", "stress"])}
    answers = {"pain": pain, "stress": stress}
    for code, value in answers.items():
        error = (
            measure_value_error(measures[code], Decimal(value))
            if isinstance(value, int)
            else _("Enter a whole number.")
        )
        if error:
            raise PortalError(error)
    previous = CheckIn.objects.filter(session=session).first()
    check_in, _new = CheckIn.objects.update_or_create(
        session=session,
        defaults={"pain": pain, "stress": stress, "note": note.strip(), "submitted_at": now},
    )
    if session.status == Session.Status.BOOKED:
        try:
            scheduling.session_status_set(
                session=session, status=Session.Status.CHECKED_IN, now=now
            )
        except SchedulingError as exc:
            raise PortalError(exc.message) from exc
    record = SessionRecord.objects.filter(session=session).first()
    stored = (
        {
            m.measure_id: m.value
            for m in record.measurements.filter(moment=Measurement.Moment.BEFORE)
        }
        if record
        else {}
    )
    kept: list[str] = []
    values = []
    for code, value in answers.items():
        measure = measures[code]
        existing = stored.get(measure.pk)
        own_earlier = previous is not None and existing == Decimal(getattr(previous, code))
        if existing is None or (own_earlier and existing != Decimal(value)):
            # Not recorded yet, or the client's own earlier answer, which they may correct.
            values.append(
                MeasureValue(
                    measure=measure, moment=Measurement.Moment.BEFORE, value=Decimal(value)
                )
            )
        elif existing != Decimal(value) and not own_earlier:
            kept.append(measure.label)
    subjective = _("Client at check-in: %(note)s") % {"note": note.strip()} if note.strip() else ""
    needs_note = subjective and not (record and record.subjective.strip())
    if values or needs_note:
        try:
            session_record_measures_set(
                session=session,
                values=values,
                user=None,
                expected_version=record.version if record else 0,
                check_in=True,
                subjective_if_empty=subjective,
                now=now,
            )
        except RecordRefused as exc:
            raise PortalError(exc.message) from exc
        except RecordConflict as exc:
            raise PortalError(
                _("Your therapist is writing in your record right now. Please send it again.")
            ) from exc
    return CheckInResult(check_in=check_in, kept=kept)


# --- Follow-up the day after --------------------------------------------------------


def followups_due(*, now=None):
    """Sessions that ended on the practice's previous local day, were held, and have a
    client with an email address and no follow-up yet."""
    now = now or timezone.now()
    window = (
        Session.objects.filter(
            ends_at__gte=now - timedelta(hours=48),
            ends_at__lte=now,
            status__in=[Session.Status.COMPLETED, Session.Status.CHECKED_IN, Session.Status.BOOKED],
            follow_up__isnull=True,
            client__is_archived=False,
        )
        .exclude(client__email="")
        .select_related("client", "practice")
    )
    for session in window:
        zone = session.practice.zone
        if session.ends_at.astimezone(zone).date() == now.astimezone(zone).date() - timedelta(
            days=1
        ):
            yield session


def followup_send(*, session: Session, base_url: str | None = None, now=None) -> bool:
    """Send one follow-up; False when one was already sent for this session."""
    now = now or timezone.now()
    with transaction.atomic():
        try:
            with transaction.atomic():
                FollowUp.objects.create(session=session, sent_at=now)
        except IntegrityError:
            return False
        secret, hashed = token_new()
        EmailToken.objects.create(
            client=session.client,
            purpose=EmailToken.Purpose.FOLLOW_UP,
            session=session,
            token_hash=hashed,
            created_at=now,
            expires_at=now + timedelta(days=FOLLOW_UP_LINK_DAYS),
        )
        link = _base(base_url) + reverse("portal:followup", args=[secret])
        email_queue(emails.followup(session=session, link=link))
    return True


def followups_send(*, now=None, base_url: str | None = None) -> int:
    return sum(followup_send(session=s, now=now, base_url=base_url) for s in followups_due(now=now))


def followup_token_peek(*, secret: str, now=None) -> EmailToken:
    now = now or timezone.now()
    with transaction.atomic():
        token = _token_for_update(secret, EmailToken.Purpose.FOLLOW_UP)
        _check_token(token, now)
    return token


@transaction.atomic
def followup_answer(*, secret: str, value, now=None) -> FollowUp:
    now = now or timezone.now()
    token = _token_for_update(secret, EmailToken.Purpose.FOLLOW_UP)
    _check_token(token, now)
    try:
        value = int(value)
    except (TypeError, ValueError) as exc:
        raise PortalError(_("Please tap a number from 0 to 10.")) from exc
    if not 0 <= value <= 10:
        raise PortalError(_("Please tap a number from 0 to 10."))
    follow_up = FollowUp.objects.select_for_update().filter(session=token.session).first()
    if follow_up is None:  # the row was deleted (e.g. in the admin) after the email
        raise PortalError(_("This link is no longer valid."))
    follow_up.value = value
    follow_up.answered_at = now
    follow_up.save(update_fields=["value", "answered_at"])
    token.used_at = now
    token.save(update_fields=["used_at"])
    return follow_up


@dataclass(frozen=True)
class FollowUpPoint:
    session_id: int
    session_ended_at: datetime
    answered_at: datetime
    days_after: float
    value: float


def followups_for_course(course) -> list[FollowUpPoint]:
    """Answered between-session pain values of a course, oldest first."""
    rows = (
        FollowUp.objects.filter(session__course=course, answered_at__isnull=False)
        .select_related("session")
        .order_by("session__starts_at")
    )
    return [
        FollowUpPoint(
            session_id=f.session_id,
            session_ended_at=f.session.ends_at,
            answered_at=f.answered_at,
            days_after=(f.answered_at - f.session.ends_at).total_seconds() / 86400,
            value=float(f.value),
        )
        for f in rows
    ]


# --- Questionnaires ------------------------------------------------------------------

QUESTIONNAIRE_EVERY_N_SESSIONS = settings.BACKCOURSE_QUESTIONNAIRE_EVERY


def questionnaires_due(course, *, now=None, sessions=None) -> list:
    """Instruments due for a course: at the start, every N held sessions, and before
    the last planned session (the end). `sessions`: the course's sessions (all but
    cancelled ones at least), if the page has loaded them."""
    if course.status in (Course.Status.CANCELLED,):
        return []
    counted = (Session.Status.COMPLETED, Session.Status.CHECKED_IN)
    if sessions is not None:
        held = [s.ends_at for s in sessions if s.status in counted]
    else:
        held = list(
            course.sessions.filter(status__in=counted).order_by().values_list("ends_at", flat=True)
        )
    # The latest answer to each instrument, in one query (the client's home asks this
    # for every running course).
    latest = dict(
        QuestionnaireResponse.objects.filter(course=course, instrument__in=list(INSTRUMENTS))
        .order_by()
        .values("instrument")
        .annotate(last=Max("completed_at"))
        .values_list("instrument", "last")
    )
    due = []
    for code, instrument in INSTRUMENTS.items():
        last = latest.get(code)
        if last is None:
            due.append(instrument)
            continue
        since = sum(1 for t in held if t > last)
        at_end = course.status == Course.Status.COMPLETED or (
            course.planned_sessions and len(held) >= course.planned_sessions - 1
        )
        if since >= QUESTIONNAIRE_EVERY_N_SESSIONS or (at_end and since >= 1):
            due.append(instrument)
    return due


@transaction.atomic
def questionnaire_submit(*, client: Client, course, instrument: str, answers: dict, now=None):
    if course is not None and course.client_id != client.pk:
        raise PortalError(_("This course is not yours."))
    try:
        score = questionnaire_score(instrument, answers)
    except QuestionnaireError as exc:
        raise PortalError(str(exc)) from exc
    return QuestionnaireResponse.objects.create(
        client=client,
        course=course,
        instrument=instrument,
        answers=answers,
        score=score,
        completed_at=now or timezone.now(),
    )


# --- Cancel and move: through scheduling/services.py ----------------------------------


def client_may_change(session: Session, now=None) -> bool:
    return scheduling.notice_problem(session, now or timezone.now()) is None


def session_cancel_by_client(*, session: Session, now=None) -> Session:
    try:
        return scheduling.session_cancel(session=session, by_client=True, now=now)
    except SchedulingError as exc:
        raise PortalError(exc.message) from exc


RESCHEDULE_WEEKS = 4


def reschedule_slots(*, session: Session, now=None) -> list[tuple[date, list]]:
    """The times this session can move to in the next RESCHEDULE_WEEKS weeks, grouped
    by day in the practice's time zone: [(local date, [Slot, ...])], earliest first.

    Same therapist (a client's move keeps the therapist), same length and buffer as the
    session itself — that is what `session_reschedule` checks, so it also works for a
    session without a session type. The session's own time does not block its
    neighbours; times when the client has another session, or the session's room is
    taken, are left out. Empty when the notice period has begun."""
    now = now or timezone.now()
    if not client_may_change(session, now):
        return []
    practice = session.practice
    # available_slots needs only a length and a buffer; an unsaved SessionType carries
    # the session's own (its type may have been changed since it was booked).
    shape = SessionType(
        practice=practice,
        duration_minutes=session.duration_minutes,
        buffer_minutes=session.buffer_minutes,
    )
    slots = [
        s
        for s in available_slots(
            practice=practice,
            session_type=shape,
            therapist=session.therapist,
            weeks=RESCHEDULE_WEEKS,
            now=now,
            exclude_session_ids=[session.pk],
        )
        if s.starts_at != session.starts_at
    ]
    if not slots:
        return []
    clash = Session.objects.active().exclude(pk=session.pk)
    who = Q(client_id=session.client_id)
    if session.room_id:
        who |= Q(room_id=session.room_id)
    busy = list(
        clash.filter(who, starts_at__lt=slots[-1].ends_at, ends_at__gt=slots[0].starts_at)
        .order_by("starts_at")
        .values_list("starts_at", "ends_at")
    )
    days: dict[date, list] = {}
    for slot in slots:
        if any(a < slot.ends_at and slot.starts_at < b for a, b in busy):
            continue
        days.setdefault(slot.starts_at.astimezone(practice.zone).date(), []).append(slot)
    return list(days.items())


def session_reschedule_by_client(*, session: Session, starts_at: datetime, now=None) -> Session:
    try:
        return scheduling.session_move(
            session=session, starts_at=starts_at, by_client=True, now=now
        )
    except SchedulingError as exc:
        raise PortalError(exc.message) from exc


# --- Erasure -------------------------------------------------------------------------


@transaction.atomic
def erasure_request_create(*, client: Client) -> ErasureRequest:
    existing = ErasureRequest.objects.filter(
        client=client, status=ErasureRequest.Status.PENDING
    ).first()
    if existing:
        return existing
    return ErasureRequest.objects.create(
        practice=client.practice, client=client, client_name=client.full_name
    )


@transaction.atomic
def erasure_confirm(*, erasure: ErasureRequest, by_user, now=None) -> ErasureRequest:
    """Erase what the client gave us; keep what the law requires.

    Kept: sessions and session records (treatment documentation, kept for the legal
    retention period) and consent records (proof that processing was lawful), under the
    client's name. Erased: intake and screening answers, check-ins, follow-ups,
    questionnaires, contact details, notes and the client's login.
    """
    now = now or timezone.now()
    erasure = ErasureRequest.objects.select_for_update().get(pk=erasure.pk)
    if erasure.status != ErasureRequest.Status.PENDING:
        raise PortalError(_("This request has already been decided."))
    client = erasure.client
    if client is not None:
        erasure_revoke_access(client=client, by_user=by_user, now=now)
        Intake.objects.filter(client=client).delete()
        CheckIn.objects.filter(session__client=client).delete()
        FollowUp.objects.filter(session__client=client).delete()
        QuestionnaireResponse.objects.filter(client=client).delete()
        EmailToken.objects.filter(client=client).delete()
        user = client.user
        client.email = ""
        client.phone = ""
        client.date_of_birth = None
        client.notes = ""
        client.is_archived = True
        client.user = None
        client.save(
            update_fields=["email", "phone", "date_of_birth", "notes", "is_archived", "user"]
        )
        if user is not None and not hasattr(user, "staff"):
            user.delete()
    erasure.status = ErasureRequest.Status.DONE
    erasure.decided_at = now
    erasure.decided_by = by_user
    erasure.save(update_fields=["status", "decided_at", "decided_by"])
    return erasure


def consent_record_paper(*, client: Client, kinds, by_user, now=None) -> list[ConsentRecord]:
    """Staff record that the client signed the current texts on paper."""
    current = [t for t in consent_current_texts(client.practice, now=now) if t.kind in kinds]
    return consent_agree(
        client=client,
        text_ids=[t.pk for t in current],
        via=ConsentRecord.Via.PAPER,
        by_user=by_user,
        now=now,
    )
