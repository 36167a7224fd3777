"""One practice with a row of every kind of data, for the security battery.

`world_build(practice, tag)` gives an owner, a therapist, a second therapist, a front desk
member, two clients (one with a portal login) and, for the first client, a course, a
session with a SOAP record, measurements, check-in, follow-up, intake with screening
answers, questionnaire, consent, erasure request, calendar feeds, an API token, a
notification, and scheduling rows. Every free-text value carries `tag` so that a page
showing any of it can be caught with one substring test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal

from backcourse.api.services import api_token_create
from backcourse.clients.consent import consent_texts_default
from backcourse.clients.models import ConsentRecord, Intake, ScreeningAnswer
from backcourse.clients.screening import screening_questions_default
from backcourse.measures.models import MeasureDefinition, MuscleRegion
from backcourse.notifications.models import Notification
from backcourse.notifications.services import calendar_feed_create
from backcourse.portal.models import (
    CheckIn,
    EmailToken,
    ErasureRequest,
    FollowUp,
    QuestionnaireResponse,
)
from backcourse.portal.tokens import token_new
from backcourse.practices.models import Practice
from backcourse.records.models import Measurement, SessionRecord, TensionReading
from backcourse.scheduling.models import (
    Break,
    PendingBooking,
    SessionType,
    TimeOff,
    WorkingHours,
)
from tests import factories as f

START = datetime(2026, 11, 2, 9, tzinfo=UTC)


@dataclass
class World:
    practice: Practice
    tag: str
    staff: dict = field(default_factory=dict)  # role name -> StaffMember
    objects: dict = field(default_factory=dict)  # model label -> one row of this practice
    secrets: dict = field(default_factory=dict)  # credentials in URLs (links, feeds)
    markers: dict = field(default_factory=dict)  # text only certain roles may see


def world_build(practice: Practice, tag: str) -> World:
    w = World(practice=practice, tag=tag)
    low = tag.lower()
    mk = lambda role, name, **kw: f.StaffFactory(  # noqa: E731
        practice=practice,
        role=role,
        user__username=f"{low}-{name}",
        user__first_name=f"{tag}{name}",
        user__last_name=tag,
        display_name=f"{tag} {name}",
        **kw,
    )
    w.staff["owner"] = mk("owner", "owner", takes_sessions=False)
    w.staff["therapist"] = mk("therapist", "therapist")
    w.staff["therapist2"] = mk("therapist", "colleague")
    w.staff["front_desk"] = mk("front_desk", "desk", takes_sessions=False)
    therapist = w.staff["therapist"]

    client = f.ClientFactory(
        practice=practice, first_name=f"{tag}Clara", last_name=f"{tag}Client", notes=f"{tag} note"
    )
    client.user = f.UserFactory(
        username=f"{low}-client", email=client.email, first_name=client.first_name
    )
    client.save(update_fields=["user"])
    other_client = f.ClientFactory(
        practice=practice, first_name=f"{tag}Otto", last_name=f"{tag}Other"
    )
    course = f.CourseFactory(
        client=client, therapist=therapist, complaint=f"{tag} sciatica", notes=f"{tag} plan"
    )
    other_course = f.CourseFactory(
        client=other_client, therapist=w.staff["therapist2"], complaint=f"{tag} neck"
    )
    room = f.RoomFactory(practice=practice, name=f"{tag} room")
    session = f.SessionFactory(course=course, starts_at=START, room=room)
    other_session = f.SessionFactory(course=other_course, starts_at=START + timedelta(hours=2))
    record = SessionRecord.objects.create(
        session=session,
        subjective=f"{tag} subjective",
        objective=f"{tag} objective",
        assessment=f"{tag} assessment",
        plan=f"{tag} soap plan",
        updated_by=therapist.user,
    )
    pain = MeasureDefinition.objects.get(code="pain")
    Measurement.objects.create(record=record, measure=pain, moment="before", value=Decimal("6"))
    TensionReading.objects.create(record=record, region=MuscleRegion.objects.first(), level=2)
    checkin = CheckIn.objects.create(session=session, pain=5, stress=3, note=f"{tag} checkin")
    followup = FollowUp.objects.create(session=session)
    screening_questions_default(practice)
    question = practice.screening_questions.first()
    question.text = f"{tag} question"
    question.advice = f"{tag} advice"
    question.save()
    intake = Intake.objects.create(
        client=client, complaint=f"{tag} intake", history=f"{tag} history", medication="x"
    )
    ScreeningAnswer.objects.create(
        intake=intake,
        question=question,
        question_text=f"{tag} asked",
        kind=question.kind,
        advice=f"{tag} advice given",
        answer=True,
    )
    texts = consent_texts_default(practice)
    for text in texts:
        text.text = f"{tag} consent text"
        text.save(update_fields=["text"])
    consent = ConsentRecord.objects.create(client=client, text=texts[0], via="online")
    questionnaire = QuestionnaireResponse.objects.create(
        client=client, course=course, instrument="rmdq", answers={"q1": 1}, score=Decimal("10")
    )
    erasure = ErasureRequest.objects.create(
        practice=practice, client=other_client, client_name=f"{tag}Otto {tag}Other"
    )
    staff_feed = calendar_feed_create(practice=practice, by=therapist.user, staff=therapist)
    client_feed = calendar_feed_create(practice=practice, by=therapist.user, client=client)
    token, raw = api_token_create(staff=therapist, name=f"{tag} token")
    notification = Notification.objects.create(
        practice=practice,
        session=session,
        kind=Notification.Kind.choices[0][0],
        starts_at=session.starts_at,
        recipient=client.email,
        last_error=f"{tag} error",
    )
    session_type = SessionType.objects.create(practice=practice, name=f"{tag} treatment")
    hours = WorkingHours.objects.create(
        therapist=therapist, weekday=0, start_time=time(8), end_time=time(12)
    )
    pause = Break.objects.create(
        therapist=therapist, weekday=0, start_time=time(10), end_time=time(10, 15)
    )
    off = TimeOff.objects.create(
        therapist=therapist,
        starts_at=START + timedelta(days=30),
        ends_at=START + timedelta(days=31),
        reason=f"{tag} holiday",
    )
    pending = PendingBooking.objects.create(
        practice=practice,
        session_type=session_type,
        therapist=therapist,
        starts_at=START + timedelta(days=3),
        first_name=f"{tag}Pia",
        last_name=f"{tag}Pending",
        email=f"pia@{low}.example",
    )
    # The other client's clinical data (their therapist is the colleague).
    SessionRecord.objects.create(
        session=other_session,
        subjective=f"{tag} other-subjective",
        plan=f"{tag} other-plan",
        updated_by=w.staff["therapist2"].user,
    )
    Intake.objects.create(client=other_client, complaint=f"{tag} other-intake")
    CheckIn.objects.create(session=other_session, pain=4, stress=2, note=f"{tag} other-checkin")

    # Email links of the client: a sign-in link and a follow-up link (valid for a week).
    secrets = {}
    for purpose, at in [("sign_in", None), ("follow_up", session)]:
        secret, hashed = token_new()
        EmailToken.objects.create(
            client=client,
            purpose=purpose,
            session=at,
            token_hash=hashed,
            created_at=START,
            expires_at=START + timedelta(days=7),
        )
        secrets[purpose] = secret
    w.secrets = {
        "sign_in": secrets["sign_in"],
        "follow_up": secrets["follow_up"],
        "client_feed": client_feed.token,
        "staff_feed": staff_feed.token,
    }
    w.markers = {
        "client": [f"{tag}Clara", f"{tag}Client"],
        "other_client": [f"{tag}Otto", f"{tag}Other"],
        "clinical": [
            f"{tag} {m}"
            for m in [
                "subjective",
                "objective",
                "assessment",
                "soap plan",
                "intake",
                "history",
                "checkin",
                "asked",
                "advice given",
            ]
        ],
        "complaints": [f"{tag} sciatica", f"{tag} neck"],
        "other_complaints": [f"{tag} neck"],  # the other client's course (a colleague's)
        "other_clinical": [f"{tag} other-{m}" for m in ["subjective", "plan", "intake", "checkin"]],
    }
    w.objects.update(
        {
            "practices.practice": practice,
            "practices.staffmember": therapist,
            "accounts.user": therapist.user,
            "clients.client": client,
            "clients.client:other": other_client,
            "courses.course": course,
            "courses.course:other": other_course,
            "scheduling.room": room,
            "scheduling.session": session,
            "scheduling.session:other": other_session,
            "scheduling.sessiontype": session_type,
            "scheduling.workinghours": hours,
            "scheduling.break": pause,
            "scheduling.timeoff": off,
            "scheduling.pendingbooking": pending,
            "records.sessionrecord": record,
            "portal.checkin": checkin,
            "portal.followup": followup,
            "clients.intake": intake,
            "clients.screeningquestion": question,
            "clients.consenttext": texts[0],
            "clients.consentrecord": consent,
            "portal.questionnaireresponse": questionnaire,
            "portal.erasurerequest": erasure,
            "notifications.calendarfeed": client_feed,
            "notifications.calendarfeed:staff": staff_feed,
            "notifications.notification": notification,
            "api.apitoken": token,
            "api.token:raw": raw,
        }
    )
    return w
