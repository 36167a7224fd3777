"""The demo practice: "Rückenwerk Demo" with staff, rooms, clients, courses and measures.

`build_demo` is called by the `seed_demo` management command. Everything is drawn from
one `random.Random(seed)`, so the same seed on the same day gives the same practice. No
network, no Faker: names come from the lists below.

How the calendar is built (so that the day view has a realistic, conflict-free day):
every active course gets an *anchor* — its next session, today or later. Today's anchors
come first (4–7 per therapist), then the other courses' next sessions later in their
cadence. A course's past sessions are laid out backwards from its anchor at the course's
cadence; upcoming ones forwards. Each session takes a one-hour slot (08:00–17:00 starts,
practice time) near the one it wants, and is booked through scheduling/services.py as
soon as it is placed: the booking service alone says whether the therapist, a room and
the client are free (and the database's guard behind it); `Calendar` only keeps the
demo's own wishes (weekdays, a full but not overfull day per therapist).

How the measures are made (so the outcome pages have something to show): pain before
session k follows the course curve's model (`lib.course_effect.curve_level`: an
exponential approach to a plateau), plus noise; each session gives
immediate relief (after < before); part of it is lost by the next session (relapse). About
one course in five is a non-responder whose pain hardly changes.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from backcourse.accounts.models import User
from backcourse.billing.demo import billing_demo_delete, billing_demo_seed
from backcourse.booking.models import SessionTypeInfo, TherapistProfile
from backcourse.clients.consent import consent_current_texts
from backcourse.clients.models import (
    Client,
    ConsentRecord,
    Intake,
    ScreeningAnswer,
    ScreeningQuestion,
)
from backcourse.clients.services import practice_create
from backcourse.courses.models import Course
from backcourse.lib.course_effect import curve_level
from backcourse.measures.models import MeasureDefinition, MuscleRegion, Technique
from backcourse.portal.models import CheckIn, FollowUp, QuestionnaireResponse
from backcourse.practices.models import Practice, StaffMember
from backcourse.records.services import SessionRecordData, records_shift, session_record_save
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.models import Room, Session, SessionType, WorkingHours
from backcourse.scheduling.services import session_book, session_status_set, sessions_shift

DEMO_SLUG = "demo"
DEMO_NAME = "Rückenwerk Demo"
DEMO_PASSWORD = "backcourse-demo"  # noqa: S105 — published demo logins
DEMO_ZONE = "Europe/Berlin"
ADMIN_USERNAME = "admin"  # superuser of the whole service (the owner manages only the demo)
CLIENT_EMAIL = "clara.weber@example.org"  # the demo client signs in with her email address

FIRST_HOUR, LAST_START_HOUR = 8, 17  # sessions start 08:00 … 17:00, end by 18:00
MAX_PER_THERAPIST_DAY = 7
ROOM_NAMES = ["Room 1 (Garden)", "Room 2 (Street)"]

# username, first, last, role, takes_sessions
STAFF = [
    ("owner", "Petra", "Lang", StaffMember.Role.OWNER, False),
    ("anna", "Anna", "Becker", StaffMember.Role.THERAPIST, True),
    ("ben", "Ben", "Hoffmann", StaffMember.Role.THERAPIST, True),
    ("carla", "Carla", "Nowak", StaffMember.Role.THERAPIST, True),
    ("desk", "Dana", "Fischer", StaffMember.Role.FRONT_DESK, False),
]

SESSION_TYPE_TEXTS = [
    "Kneading, friction and stretching of the whole back, adapted to what your back needs "
    "today. The usual session of a course.",
    "For a stiff neck and tense shoulders from desk work: trapezius, levator scapulae and "
    "the upper back.",
    "The first appointment: we talk about your back, look at how it moves, then massage.",
]
THERAPIST_BIOS = {
    "anna": "Massage therapist since 2011; chronic low back pain and sports injuries.",
    "ben": "Physiotherapist and massage therapist; neck and shoulder tension from desk work.",
    "carla": "Trained in Kraków and Berlin; gentle techniques for acute pain and older backs.",
}

FIRST_NAMES = [
    "Lena", "Jonas", "Sophie", "Lukas", "Marie", "Felix", "Hannah", "Paul", "Emma", "Tim",
    "Mia", "Leon", "Laura", "David", "Julia", "Simon", "Sarah", "Max", "Katharina", "Tobias",
    "Nina", "Jan", "Lisa", "Moritz", "Anja", "Stefan", "Miriam", "Thomas", "Eva", "Daniel",
    "Sabine", "Michael", "Ines", "Markus", "Greta", "Florian", "Yasemin", "Mehmet", "Olga",
    "Piotr", "Aylin", "Kai", "Ute", "Bernd", "Helga", "Rainer", "Svenja", "Niklas",
]  # fmt: skip
LAST_NAMES = [
    "Müller", "Schmidt", "Schneider", "Meyer", "Wagner", "Schulz", "Koch", "Bauer", "Richter",
    "Klein", "Wolf", "Schröder", "Neumann", "Schwarz", "Zimmermann", "Braun", "Krüger",
    "Hartmann", "Lange", "Werner", "Krause", "Lehmann", "Köhler", "Maier", "Kaiser", "Fuchs",
    "Peters", "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel", "Friedrich", "Keller",
    "Günther", "Frank", "Berger", "Roth", "Beck", "Lorenz", "Baumann", "Albrecht", "Yilmaz",
    "Kowalski", "Sommer", "Graf", "Brandt",
]  # fmt: skip
TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e"})


@dataclass(frozen=True)
class Complaint:
    text: str
    regions: tuple[str, ...]  # MuscleRegion codes
    rom: tuple[str, ...]  # MeasureDefinition codes measured in this kind of course
    subjective: tuple[str, ...]
    objective: tuple[str, ...]


LOW_BACK = ("erector_spinae_lumbar_l", "erector_spinae_lumbar_r", "quadratus_lumborum_l",
            "quadratus_lumborum_r")  # fmt: skip
NECK = ("trapezius_upper_l", "trapezius_upper_r", "levator_scapulae_l", "levator_scapulae_r")
THORACIC = ("rhomboids_l", "rhomboids_r", "trapezius_middle_l", "trapezius_middle_r",
            "erector_spinae_thoracic_l", "erector_spinae_thoracic_r")  # fmt: skip

COMPLAINTS = [
    Complaint(
        "Chronic low back pain",
        LOW_BACK + ("latissimus_dorsi_l", "latissimus_dorsi_r"),
        ("fingertip_floor",),
        (
            "worse after long sitting",
            "stiff in the morning, eases with walking",
            "ache across the lower back after gardening",
            "slept better this week",
        ),
        (
            "lumbar erectors hypertonic, QL tender on palpation",
            "forward bend limited by pull in the lower back",
            "tone in lumbar erectors lower than last time",
        ),
    ),  # fmt: skip
    Complaint(
        "Low back pain after lifting",
        LOW_BACK,
        ("fingertip_floor",),
        (
            "pain when bending to tie shoes",
            "pulling on the right when getting out of the car",
            "better on days with a walk",
        ),
        (
            "right QL markedly tense",
            "guarded forward bend",
            "paraspinal tone reduced on the left, right still raised",
        ),
    ),  # fmt: skip
    Complaint(
        "Neck and shoulder tension",
        NECK + ("erector_spinae_cervical_l", "erector_spinae_cervical_r"),
        ("cervical_rotation_left", "cervical_rotation_right"),
        (
            "shoulders up by the end of the working day",
            "turning the head when driving is hard",
            "tension worse in stressful weeks",
            "fewer evenings with a stiff neck",
        ),
        (
            "upper trapezius hypertonic with trigger points",
            "levator scapulae tender at the insertion",
            "rotation restricted to the left",
        ),
    ),  # fmt: skip
    Complaint(
        "Tension headaches with neck stiffness",
        NECK + ("erector_spinae_cervical_l", "erector_spinae_cervical_r"),
        ("cervical_rotation_left", "cervical_rotation_right"),
        ("two headaches since last session", "headache-free week", "neck stiff after screen work"),
        (
            "suboccipital and cervical erectors tense",
            "upper trapezius ropy on both sides",
            "cervical tone clearly lower than at the start",
        ),
    ),  # fmt: skip
    Complaint(
        "Thoracic stiffness from desk work",
        THORACIC,
        (),
        (
            "stiff between the shoulder blades after long days",
            "breathing feels freer",
            "ache returns on Thursday and Friday",
        ),
        (
            "rhomboids and middle trapezius hypertonic",
            "thoracic erectors tense, limited extension",
            "less tenderness between the scapulae",
        ),
    ),  # fmt: skip
    Complaint(
        "Stress-related upper back tension",
        NECK + ("trapezius_middle_l", "trapezius_middle_r"),
        (),
        (
            "stressful weeks at work, sleeping badly",
            "calmer week, tension lower",
            "jaw and shoulders tense in the evening",
        ),
        (
            "generalised upper back tension, breathing shallow",
            "trapezius tone high on both sides",
            "settles quickly under sustained pressure",
        ),
    ),  # fmt: skip
    Complaint(
        "Pain between the shoulder blades",
        (
            "rhomboids_l",
            "rhomboids_r",
            "trapezius_middle_l",
            "trapezius_middle_r",
            "trapezius_lower_l",
            "trapezius_lower_r",
        ),
        (),
        (
            "burning point left of the spine",
            "pain after carrying the child",
            "only noticed it twice this week",
        ),
        (
            "trigger point in left rhomboid",
            "middle and lower trapezius tense",
            "rhomboid trigger point less active",
        ),
    ),  # fmt: skip
]

TECHNIQUE_CODES = ["effleurage", "petrissage", "friction", "sustained_pressure", "stretching"]


# --- the calendar ----------------------------------------------------------------------


class Calendar:
    """The demo's own wishes for the calendar (weekdays only, today kept for the
    anchors, at most MAX_PER_THERAPIST_DAY a day per therapist). Whether a slot can be
    booked at all is not decided here: `book` asks the real booking service (via the
    `booker` given by `build_demo`), which refuses a therapist, room or client already
    busy, and picks a free room."""

    def __init__(self, *, today: date, booker: Booker) -> None:
        self.today = today
        self.booker = booker
        self.load: Counter[tuple[int, date]] = Counter()

    def is_workday(self, day: date) -> bool:
        # Monday to Friday; today is always open so the demo's day view is never empty.
        return day.weekday() < 5 or day == self.today

    def book(self, course: PlannedCourse, day: date, hour: int) -> Session | None:
        session = self.booker(course, day, hour)
        if session is not None:
            self.load[course.therapist, day] += 1
        return session

    def place(
        self,
        course: PlannedCourse,
        day: date,
        hour: int,
        *,
        earliest: date,
        latest: date,
        allow_today: bool = False,
    ) -> PlannedSession | None:
        """Book near (day, hour): the same day if any hour is free, else a day nearby
        within [earliest, latest]. Today is filled first and on purpose, so other
        sessions stay off it unless `allow_today`."""
        hours = sorted(range(FIRST_HOUR, LAST_START_HOUR + 1), key=lambda h: (abs(h - hour), h))
        for shift in (0, -1, 1, -2, 2, -3, 3):
            d = day + timedelta(days=shift)
            if not (earliest <= d <= latest) or not self.is_workday(d):
                continue
            if d == self.today and not allow_today:
                continue
            if self.load[course.therapist, d] >= MAX_PER_THERAPIST_DAY:
                continue
            for h in hours:
                session = self.book(course, d, h)
                if session is not None:
                    return PlannedSession(day=d, hour=h, session=session)
        return None


# --- the plan (plain data, before anything touches the database) -----------------------


@dataclass
class PlannedSession:
    day: date
    hour: int
    session: Session  # booked through scheduling/services.py as it was planned
    status: str = Session.Status.BOOKED


@dataclass
class PlannedCourse:
    client: int
    therapist: int
    complaint: Complaint
    responder: bool
    planned: int
    n_intensive: int
    intensive_days: int
    maintenance_days: int
    goal_kind: str
    goal_value: int
    status: str = Course.Status.ACTIVE
    phase: str = Course.Phase.INTENSIVE
    next_index: int = 0  # 1-based index of the session that is today or next
    sessions: list[PlannedSession] = field(default_factory=list)

    def interval_after(self, index: int) -> int:
        """Days from session `index` (1-based) to the next one."""
        return self.intensive_days if index < self.n_intensive else self.maintenance_days


# Books one session of a course on a day at an hour, or None when that time is taken.
Booker = Callable[[PlannedCourse, date, int], Session | None]


@dataclass
class DemoSummary:
    practice: Practice
    users: int = 0
    clients: int = 0
    courses_active: int = 0
    courses_completed: int = 0
    sessions_past: int = 0
    sessions_today: int = 0
    sessions_upcoming: int = 0
    records: int = 0
    measurements: int = 0
    tension_readings: int = 0
    today_per_therapist: dict[str, int] = field(default_factory=dict)
    red_flag_client: str = ""
    unsigned_consent_client: str = ""

    def lines(self) -> list[str]:
        per = ", ".join(f"{k} {v}" for k, v in self.today_per_therapist.items())
        return [
            f"Demo practice “{self.practice.name}” (slug {self.practice.slug}, "
            f"{self.practice.time_zone})",
            f"  {self.users} users, {self.clients} clients",
            f"  courses: {self.courses_active} active, {self.courses_completed} completed",
            f"  sessions: {self.sessions_past} past, {self.sessions_today} today ({per}), "
            f"{self.sessions_upcoming} upcoming",
            f"  records: {self.records}, measurements: {self.measurements}, "
            f"tension readings: {self.tension_readings}",
            f"  today, look for: {self.red_flag_client} (red flag), "
            f"{self.unsigned_consent_client} (consent not signed yet)",
        ]


def _new_course(rng: random.Random, client: int, therapist: int, *, active: bool):
    complaint = rng.choice(COMPLAINTS)
    with_maintenance = rng.random() < 0.45
    intensive_days = rng.choices([7, 4, 10, 14], weights=[70, 12, 10, 8])[0]
    if with_maintenance:
        n_intensive = rng.randint(4, 6)
        planned = min(12, n_intensive + rng.randint(2, 5))
    else:
        planned = rng.randint(6, 10)
        n_intensive = planned
    percent = rng.random() < 0.3
    return PlannedCourse(
        client=client,
        therapist=therapist,
        complaint=complaint,
        responder=rng.random() >= 0.2 if active else rng.random() >= 0.1,
        planned=planned,
        n_intensive=n_intensive,
        intensive_days=intensive_days,
        maintenance_days=rng.choice([21, 28]),
        goal_kind=Course.GoalKind.PERCENT if percent else Course.GoalKind.TARGET,
        goal_value=30 if percent else 3,
        status=Course.Status.ACTIVE if active else Course.Status.COMPLETED,
    )


def _layout_backwards(
    cal: Calendar,
    course: PlannedCourse,
    rng: random.Random,
    *,
    last_index: int,
    last_day: date,
    hour: int,
    before: date,
) -> None:
    """Sessions 1..last_index ending on or before `last_day`, all strictly before `before`."""
    day = last_day
    placed: list[PlannedSession] = []
    for index in range(last_index, 0, -1):
        if index < last_index:
            gap = course.interval_after(index)
            jitter = rng.choice([0, 0, 0, 1, -1]) if gap >= 7 else 0
            day = day - timedelta(days=gap + jitter)
        latest = (placed[-1].day if placed else before) - timedelta(days=1)
        spot = cal.place(course, day, hour, earliest=day - timedelta(days=3), latest=latest)
        if spot is None:
            continue
        day = spot.day
        placed.append(spot)
    course.sessions[:0] = reversed(placed)


def _layout_forwards(
    cal: Calendar,
    course: PlannedCourse,
    *,
    first_index: int,
    first_day: date,
    hour: int,
    horizon: date,
) -> None:
    day = first_day
    for index in range(first_index, course.planned + 1):
        if index > first_index:
            day = day + timedelta(days=course.interval_after(index - 1))
        if day > horizon:
            break
        earliest = course.sessions[-1].day + timedelta(days=1) if course.sessions else day
        spot = cal.place(course, day, hour, earliest=earliest, latest=horizon)
        if spot is None:
            continue
        day = spot.day
        course.sessions.append(spot)


def plan_demo(
    rng: random.Random,
    *,
    n_clients: int,
    n_therapists: int,
    n_rooms: int,
    today: date,
    booker: Booker,
) -> list[PlannedCourse]:
    """Decide every course and its sessions' days and hours, booking each session as it
    is placed (`booker`: the real booking service decides whether the slot is free)."""
    cal = Calendar(today=today, booker=booker)
    horizon = today + timedelta(days=42)

    # Who has what: ~15 of 40 clients have a finished course; about half of those came
    # back for a second, current course. Client 0 (Clara) has a current course.
    n_finished = max(0, round(n_clients * 15 / 40))
    finished_clients = set(rng.sample(range(1, n_clients), min(n_finished, n_clients - 1)))
    only_finished = set(rng.sample(sorted(finished_clients), len(finished_clients) // 2))
    active: list[PlannedCourse] = []
    for client in range(n_clients):
        if client in only_finished:
            continue
        therapist = client % n_therapists
        course = _new_course(rng, client, therapist, active=True)
        if client == 0:
            course.responder = True
        active.append(course)

    # Today's anchors: 4–7 per therapist, while two rooms hold at most 20 sessions a day.
    by_therapist: dict[int, list[PlannedCourse]] = {t: [] for t in range(n_therapists)}
    for course in active:
        by_therapist[course.therapist].append(course)
    wanted = {t: rng.randint(4, 7) for t in range(n_therapists)}
    room_capacity = n_rooms * (LAST_START_HOUR - FIRST_HOUR + 1) - 2
    while sum(wanted.values()) > room_capacity and max(wanted.values()) > 1:
        wanted[max(wanted, key=wanted.get)] -= 1

    anchors: dict[int, tuple[date, int]] = {}  # id(course) -> (day, hour)
    for t, courses in by_therapist.items():
        today_courses = rng.sample(courses, min(wanted[t], len(courses)))
        hours = sorted(rng.sample(range(FIRST_HOUR, LAST_START_HOUR + 1), len(today_courses)))
        for course, hour in zip(today_courses, hours, strict=True):
            spot = cal.place(course, today, hour, earliest=today, latest=today, allow_today=True)
            if spot is not None:
                anchors[id(course)] = (today, spot.hour)
                course.sessions.append(spot)

    # Every other active course: its session nearest to today falls on another day of
    # this week when the cadence allows (so the week view is busy), else within one step.
    week_start = today - timedelta(days=today.weekday())
    this_week = [week_start + timedelta(days=i) for i in range(5)]
    for course in active:
        if id(course) in anchors:
            continue
        index = rng.randint(1, course.planned)
        if course.client == 0:  # Clara's portal shows a course well under way
            index = min(6, course.planned)
        course.next_index = index
        # The sessions either side of the anchor must not fall on today.
        lo = -course.interval_after(index) + 1 if index < course.planned else -6
        hi = course.interval_after(index - 1) - 1 if index > 1 else 6
        candidates = [(d - today).days for d in this_week if d != today]
        candidates = [o for o in candidates if lo <= o <= hi]
        if course.client == 0 or index == 1:
            candidates = [o for o in candidates if o > 0]
        if not candidates or course.interval_after(index) > 14:
            low = 1 if course.client == 0 or index == 1 else lo
            candidates = [o for o in range(low, hi + 1) if o != 0] or [1]
        day = today + timedelta(days=rng.choice(candidates))
        spot = cal.place(
            course,
            day,
            rng.randint(FIRST_HOUR, LAST_START_HOUR),
            earliest=day - timedelta(days=1),
            latest=day + timedelta(days=1),
        )
        if spot is None:
            continue
        anchors[id(course)] = (spot.day, spot.hour)
        course.sessions.append(spot)

    for course in active:
        if id(course) not in anchors:
            continue
        day, hour = anchors[id(course)]
        index = course.next_index
        if not index:  # anchored today: anywhere in the course
            index = rng.randint(1, course.planned)
            if course.client == 0:
                index = min(6, course.planned)
        anchor = course.sessions.pop()
        if index > 1:
            _layout_backwards(
                cal,
                course,
                rng,
                last_index=index - 1,
                last_day=day - timedelta(days=course.interval_after(index - 1)),
                hour=hour,
                before=day,
            )
        course.sessions.append(anchor)
        _layout_forwards(
            cal,
            course,
            first_index=index + 1,
            first_day=day + timedelta(days=course.interval_after(index)),
            hour=hour,
            horizon=horizon,
        )
        if index > course.n_intensive:
            course.phase = Course.Phase.MAINTENANCE

    # Finished courses: history months ago, ending well before the client's current one.
    finished: list[PlannedCourse] = []
    first_day_of = {c.client: c.sessions[0].day for c in active if c.sessions}
    for client in sorted(finished_clients):
        course = _new_course(rng, client, rng.randrange(n_therapists), active=False)
        end_before = first_day_of.get(client, today) - timedelta(days=rng.randint(21, 120))
        _layout_backwards(
            cal,
            course,
            rng,
            last_index=course.planned,
            last_day=end_before,
            hour=rng.randint(FIRST_HOUR, LAST_START_HOUR),
            before=end_before + timedelta(days=1),
        )
        if course.n_intensive < course.planned:
            course.phase = Course.Phase.MAINTENANCE
        finished.append(course)
    return active + finished


# --- measures --------------------------------------------------------------------------


def _clip(value: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, value))


def _half(value: float) -> float:
    return round(value * 2) / 2


@dataclass
class SessionMeasures:
    values: dict[tuple[str, str], float]  # (measure code, moment) -> value
    tension: dict[str, int]  # region code -> 0..3
    pain_before: int
    pain_after: int


def simulate_measures(
    rng: random.Random, course: PlannedCourse, gaps: list[int]
) -> list[SessionMeasures]:
    """Measures for each recorded session of a course; `gaps[k]` = days since the previous
    recorded session (0 for the first)."""
    n = len(gaps)
    r = course.responder
    p0 = rng.uniform(5, 8)
    p_plateau = rng.uniform(1, 3) if r else p0 - rng.uniform(0, 0.8)
    p_rate = rng.uniform(0.25, 0.6)
    if course.client == 0:  # Clara, the portal demo: a clear responder
        p0, p_plateau, p_rate = 7.0, 1.5, 0.55
    s0 = rng.uniform(4, 8)
    s_plateau = rng.uniform(2, 3.5) if r else s0 - rng.uniform(0, 1)
    rom_rate = p_rate * rng.uniform(0.6, 1.0)

    def relapse(k: int) -> float:
        # Longer breaks (maintenance) let more tension come back.
        return min(1.2, 0.04 * max(0, gaps[k] - 7)) if k else 0.0

    pain_pre = [
        int(
            _clip(
                round(curve_level(p0, p_plateau, p_rate, k + 1) + relapse(k) + rng.gauss(0, 0.6)),
                1,
                10,
            )
        )  # fmt: skip
        for k in range(n)
    ]
    pain_post = []
    for k in range(n):
        relief = rng.uniform(1.5, 3.0) if r else rng.uniform(0.8, 2.0)
        post = round(pain_pre[k] - relief)
        if k + 1 < n:
            post = min(post, pain_pre[k + 1] - 1)  # only part of the relief lasts
        pain_post.append(int(_clip(post, 0, pain_pre[k] - 1)))

    fff0, fff_plateau = rng.uniform(14, 35), rng.uniform(0, 8)
    rot0 = {"cervical_rotation_left": rng.uniform(42, 60), "cervical_rotation_right": 0.0}
    rot0["cervical_rotation_right"] = _clip(
        rot0["cervical_rotation_left"] + rng.gauss(6, 4), 40, 75
    )
    rot_plateau = rng.uniform(68, 80)
    tension0 = {code: rng.choice([1, 2, 2, 3, 3]) for code in course.complaint.regions}

    out: list[SessionMeasures] = []
    for k in range(n):
        progress = (curve_level(p0, p_plateau, p_rate, k + 1) - p_plateau) / max(
            p0 - p_plateau, 0.1
        )
        values: dict[tuple[str, str], float] = {
            ("pain", "before"): pain_pre[k],
            ("pain", "after"): pain_post[k],
        }
        s_pre = _clip(round(curve_level(s0, s_plateau, p_rate, k + 1) + rng.gauss(0, 0.8)), 1, 10)
        values["stress", "before"] = s_pre
        values["stress", "after"] = _clip(s_pre - round(rng.uniform(1, 3)), 0, s_pre - 1)
        for code in course.complaint.rom:
            if code == "fingertip_floor":
                pre = _half(
                    _clip(
                        curve_level(fff0, fff_plateau, rom_rate, k + 1) + rng.gauss(0, 1.5), -5, 45
                    )
                )
                values[code, "before"] = pre
                values[code, "after"] = _half(_clip(pre - rng.uniform(1.5, 5), -10, pre - 0.5))
            else:
                start = rot0[code]
                top = rot_plateau if r else start + 3
                pre = round(
                    _clip(curve_level(start, top, rom_rate, k + 1) + rng.gauss(0, 2), 30, 90)
                )
                values[code, "before"] = pre
                values[code, "after"] = round(_clip(pre + rng.uniform(3, 9), pre + 1, 95))
        tension = {}
        for code, t0 in tension0.items():
            level = t0 * (0.35 + 0.65 * progress) if r else t0
            tension[code] = int(_clip(round(level + rng.gauss(0, 0.4)), 0, 3))
        out.append(SessionMeasures(values, tension, pain_pre[k], pain_post[k]))
    return out


def _soap(rng: random.Random, course: PlannedCourse, m: SessionMeasures, k: int, last: bool):
    c = course.complaint
    relief = m.pain_before - m.pain_after
    subjective = f"Pain {m.pain_before}/10 on arrival; {rng.choice(c.subjective)}."
    objective = rng.choice(c.objective).capitalize() + "."
    if relief >= 3:
        assessment = f"Clear immediate relief (pain {m.pain_before} → {m.pain_after})."
    elif relief >= 2:
        assessment = f"Good response (pain {m.pain_before} → {m.pain_after})."
    else:
        assessment = f"Modest relief (pain {m.pain_before} → {m.pain_after})."
    if not course.responder and k >= 3:
        assessment += " Little lasting change so far; review the plan."
    if last and course.status == Course.Status.COMPLETED:
        plan = "Course completed. Home stretches; come back if pain rises again."
    elif k >= course.n_intensive:
        plan = f"Maintenance every {course.maintenance_days // 7} weeks."
    else:
        plan = rng.choice(
            [
                "Continue course as planned.",
                "Continue; home exercise: doorway stretch twice daily.",
                "Continue; heat before sleep, short walks at lunch.",
                "Continue; check desk set-up, screen at eye height.",
            ]
        )
    return subjective, objective, assessment, plan


# --- writing it to the database --------------------------------------------------------


def demo_exists() -> bool:
    return Practice.objects.filter(slug=DEMO_SLUG).exists()


@transaction.atomic
def demo_delete() -> None:
    """Remove the demo practice and its logins (for `seed_demo --reset`)."""
    practice = Practice.objects.filter(slug=DEMO_SLUG).first()
    if practice is None:
        return
    usernames = [s[0] for s in STAFF] + ["clara", ADMIN_USERNAME]
    billing_demo_delete(practice=practice)  # invoices protect sessions and clients
    Session.objects.filter(practice=practice).delete()
    Course.objects.filter(practice=practice).delete()
    Client.objects.filter(practice=practice).delete()
    practice.delete()
    User.objects.filter(username__in=usernames).delete()


def _name_of(clients: list[Client], client_id: int | None) -> str:
    return next((c.full_name for c in clients if c.pk == client_id), "")


def demo_logins() -> list[str]:
    """Every demo login as it is typed (the client signs in with her email address)."""
    return [
        f"  therapists:  anna, ben, carla / {DEMO_PASSWORD}   (staff pages at /)",
        f"  front desk:  desk / {DEMO_PASSWORD}",
        f"  owner:       owner / {DEMO_PASSWORD}   (the practice's admin at /admin/)",
        f"  superuser:   {ADMIN_USERNAME} / {DEMO_PASSWORD}   (every practice, at /admin/)",
        f"  client:      {CLIENT_EMAIL} / {DEMO_PASSWORD}   (client pages at /me/)",
        f"  booking:     /book/{DEMO_SLUG}/   (public, no login)",
    ]


def demo_anchor_age_days(now: datetime | None = None) -> int:
    """Whole days between the demo's "today" (when it was made or last re-anchored) and
    now, in the practice's time zone; 0 when there is no demo."""
    practice = Practice.objects.filter(slug=DEMO_SLUG).first()
    if practice is None:
        return 0
    zone = practice.zone
    now = now or timezone.now()
    return (now.astimezone(zone).date() - practice.created_at.astimezone(zone).date()).days


@transaction.atomic
def demo_reanchor(now: datetime | None = None) -> int:
    """Move the demo's dates forward by the days since it was made, so that "today" in the
    demo is today again (its sessions, courses, intakes, consents, check-ins, records).
    Local times stay the same across daylight-saving changes. Returns the days moved."""
    days = demo_anchor_age_days(now)
    if days <= 0:
        return 0
    practice = Practice.objects.select_for_update().get(slug=DEMO_SLUG)
    zone = practice.zone
    shift = timedelta(days=days)

    def moved(value: datetime) -> datetime:
        local = value.astimezone(zone).replace(tzinfo=None) + shift
        return timezone.make_aware(local, zone)

    sessions_shift(practice=practice, days=days)
    for course in Course.objects.filter(practice=practice):
        Course.objects.filter(pk=course.pk).update(started_on=course.started_on + shift)
    clients = Client.objects.filter(practice=practice)
    for model, fields in (
        (Intake, ["submitted_at"]),
        (ConsentRecord, ["agreed_at"]),
        (CheckIn, ["submitted_at"]),
        (FollowUp, ["sent_at", "answered_at"]),
        (QuestionnaireResponse, ["completed_at"]),
    ):
        for row in model.objects.filter(
            **{"client__in" if hasattr(model, "client") else "session__client__in": clients}
        ):
            values = {f: moved(getattr(row, f)) for f in fields if getattr(row, f)}
            model.objects.filter(pk=row.pk).update(**values)
    records_shift(practice=practice, days=days)
    Practice.objects.filter(pk=practice.pk).update(created_at=practice.created_at + shift)
    return days


def _client_names(rng: random.Random, n: int) -> list[tuple[str, str]]:
    names = [("Clara", "Weber")]
    seen = set(names)
    while len(names) < n:
        pair = (rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES))
        if pair in seen and len(seen) < len(FIRST_NAMES) * len(LAST_NAMES):
            continue
        seen.add(pair)
        names.append(pair)
    return names


@transaction.atomic
def build_demo(*, seed: int = 1, n_clients: int = 40, now: datetime | None = None) -> DemoSummary:
    """Create the demo practice. The caller checks first that it does not exist yet."""
    rng = random.Random(seed)
    now = now or timezone.now()
    practice = practice_create(
        practice=Practice(
            name=DEMO_NAME,
            slug=DEMO_SLUG,
            time_zone=DEMO_ZONE,
            language="en",
            email="hello@rueckenwerk.example",
            phone="+49 30 555 0100",
            address="Kastanienallee 12\n10435 Berlin",
        )
    )
    zone = practice.zone
    today = now.astimezone(zone).date()
    summary = DemoSummary(practice=practice)

    # One hash for all demo logins: hashing is deliberately slow.
    password = make_password(DEMO_PASSWORD)
    users = {}
    staff: dict[str, StaffMember] = {}
    for username, first, last, role, takes in STAFF:
        user = User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@rueckenwerk.example",
            password=password,
        )
        users[username] = user
        staff[username] = StaffMember.objects.create(
            user=user,
            practice=practice,
            role=role,
            takes_sessions=takes,
            display_name=f"{first} {last}",
        )  # an owner gets is_staff and the "Practice owners" group (practices/signals.py)
    # The service operator: sees every practice in the admin; not staff of one.
    User.objects.create(
        username=ADMIN_USERNAME,
        email=f"{ADMIN_USERNAME}@backcourse.example",
        password=password,
        is_staff=True,
        is_superuser=True,
    )
    therapists = [staff[row[0]] for row in STAFF if row[3] == StaffMember.Role.THERAPIST]
    rooms = [Room.objects.create(practice=practice, name=name) for name in ROOM_NAMES]
    # Working hours Monday to Friday 08:00–18:00 (and today, should the demo be made on a
    # weekend, so that today's sessions lie inside working hours too).
    workdays = sorted({0, 1, 2, 3, 4, today.weekday()})
    WorkingHours.objects.bulk_create(
        [
            WorkingHours(therapist=t, weekday=d, start_time=time(FIRST_HOUR), end_time=time(18))
            for t in therapists
            for d in workdays
        ]
    )
    session_types = SessionType.objects.bulk_create(
        [
            SessionType(practice=practice, name="Therapeutic back massage", duration_minutes=60),
            SessionType(practice=practice, name="Neck and shoulder massage", duration_minutes=45),
            SessionType(
                practice=practice,
                name="First visit: intake and massage",
                duration_minutes=60,
                bookable_online=False,
            ),
        ]
    )
    # What the public booking pages show about each kind of session and each therapist.
    SessionTypeInfo.objects.bulk_create(
        [
            SessionTypeInfo(session_type=kind, description=text)
            for kind, text in zip(session_types, SESSION_TYPE_TEXTS, strict=True)
        ]
    )
    TherapistProfile.objects.bulk_create(
        [TherapistProfile(staff=t, bio=THERAPIST_BIOS[t.user.username]) for t in therapists]
    )
    consent_texts = consent_current_texts(practice)  # made by practice_create

    clients = []
    for i, (first, last) in enumerate(_client_names(rng, n_clients)):
        local = f"{first}.{last}".lower().translate(TRANSLIT)
        clients.append(
            Client(
                practice=practice,
                first_name=first,
                last_name=last,
                email=f"{local}@example.org" if rng.random() > 0.05 else "",
                phone=f"+49 1{rng.choice(['51', '52', '57', '60', '70', '76'])} "
                f"{rng.randint(1000000, 99999999)}",
                date_of_birth=date(rng.randint(1952, 2001), rng.randint(1, 12), rng.randint(1, 28)),
                notes="Prefers late appointments." if i % 11 == 5 else "",
            )
        )
    clients = Client.objects.bulk_create(clients)
    clara_user = User.objects.create(
        username="clara",
        first_name="Clara",
        last_name="Weber",
        email=CLIENT_EMAIL,
        password=password,
    )
    clients[0].user = clara_user
    clients[0].email = CLIENT_EMAIL
    clients[0].save(update_fields=["user", "email"])
    summary.users = len(users) + 1
    summary.clients = len(clients)

    measures = MeasureDefinition.objects.in_bulk(field_name="code")
    regions = MuscleRegion.objects.in_bulk(field_name="code")
    techniques = Technique.objects.in_bulk(field_name="code")
    pain = measures["pain"]

    # A course's row is made when its first session is booked (no signals: the
    # outcomes are refreshed once, by seed_demo, at the end).
    course_rows: dict[int, Course] = {}

    def course_row(p: PlannedCourse, day: date) -> Course:
        if id(p) not in course_rows:
            course_rows[id(p)] = Course.objects.bulk_create(
                [
                    Course(
                        practice=practice,
                        client=clients[p.client],
                        therapist=therapists[p.therapist],
                        complaint=p.complaint.text,
                        goal_measure=pain,
                        goal_kind=p.goal_kind,
                        goal_value=Decimal(p.goal_value),
                        planned_sessions=p.planned,
                        intensive_interval_days=p.intensive_days,
                        maintenance_interval_days=p.maintenance_days,
                        phase=p.phase,
                        status=p.status,
                        started_on=day,
                        notes="Referred by GP." if p.client % 7 == 3 else "",
                    )
                ]
            )[0]
        return course_rows[id(p)]

    def booker(p: PlannedCourse, day: date, hour: int) -> Session | None:
        """Through the real booking service, as the front desk would have booked it a
        week ahead: hours, rooms (a free one is chosen), the therapist's and the
        client's other sessions and the database's no-double-booking guard all apply.
        A time somebody has already is refused, and the planner tries another."""
        starts = datetime.combine(day, time(hour), tzinfo=zone)
        try:
            return session_book(
                practice=practice,
                therapist=therapists[p.therapist],
                client=clients[p.client],
                course=course_row(p, day),
                session_type=session_types[0],
                starts_at=starts,
                auto_room=True,
                by=users["desk"],
                now=min(now, starts - timedelta(days=7)),
            )
        except SchedulingError as exc:
            if exc.is_conflict:
                return None
            raise  # anything else is a mistake in the demo's plan

    plans = plan_demo(
        rng,
        n_clients=n_clients,
        n_therapists=len(therapists),
        n_rooms=len(rooms),
        today=today,
        booker=booker,
    )
    plans = [p for p in plans if p.sessions]
    courses = [course_rows[id(p)] for p in plans]
    for course, p in zip(courses, plans, strict=True):
        course.started_on, course.phase = p.sessions[0].day, p.phase
    Course.objects.bulk_update(courses, ["started_on", "phase"])
    Through = Course.target_muscles.through
    Through.objects.bulk_create(
        [
            Through(course_id=course.pk, muscleregion_id=regions[code].pk)
            for course, p in zip(courses, plans, strict=True)
            for code in p.complaint.regions
            if code in regions
        ]
    )

    # Statuses follow the clock, through the transition table; a few past sessions
    # were missed or cancelled.
    sessions: list[Session] = []
    session_plans: list[tuple[PlannedCourse, Course, PlannedSession]] = []
    for course, p in zip(courses, plans, strict=True):
        for i, s in enumerate(p.sessions):
            booked = s.session
            status = Session.Status.BOOKED
            if booked.ends_at <= now:
                roll = rng.random()
                if i > 0 and roll < 0.04:
                    status = Session.Status.NO_SHOW
                elif i > 0 and roll < 0.08 and s.day < today:
                    status = Session.Status.CANCELLED
                else:
                    status = Session.Status.COMPLETED
            elif booked.starts_at <= now:
                status = Session.Status.CHECKED_IN
            if status != Session.Status.BOOKED:
                session_status_set(session=booked, status=status, by=users["desk"], now=now)
            s.status = status
            sessions.append(booked)
            session_plans.append((p, course, s))
            if s.day == today:
                summary.sessions_today += 1
                name = therapists[p.therapist].user.username
                summary.today_per_therapist[name] = summary.today_per_therapist.get(name, 0) + 1
            elif s.day < today:
                summary.sessions_past += 1
            else:
                summary.sessions_upcoming += 1

    # Every client who came has agreed to both consent texts: on paper at the first
    # visit, Clara online. Clara has also filled in the intake with the safety questions.
    first_visit: dict[int, datetime] = {}
    for session in sessions:
        first = first_visit.get(session.client_id)
        if first is None or session.starts_at < first:
            first_visit[session.client_id] = session.starts_at
    clara = clients[0]
    # Two of today's later clients show what staff must notice: one answered a red-flag
    # screening question (the badge), one has not signed the consent texts yet.
    later_today = sorted(
        {
            session.client_id
            for session in sessions
            if session.status == Session.Status.BOOKED
            and session.starts_at.astimezone(zone).date() == today
            and session.client_id != clara.pk
        }
    )
    red_flag_client_id = later_today[0] if later_today else None
    unsigned_client_id = later_today[1] if len(later_today) > 1 else None
    summary.red_flag_client = _name_of(clients, red_flag_client_id)
    summary.unsigned_consent_client = _name_of(clients, unsigned_client_id)
    ConsentRecord.objects.bulk_create(
        [
            ConsentRecord(
                client_id=client_id,
                text=text,
                agreed_at=min(at - timedelta(minutes=10), now),
                via=ConsentRecord.Via.ONLINE if client_id == clara.pk else ConsentRecord.Via.PAPER,
                recorded_by=None if client_id == clara.pk else users["desk"],
            )
            for client_id, at in first_visit.items()
            for text in consent_texts
        ]
    )
    if red_flag_client_id is not None:
        flagged = Intake.objects.create(
            client_id=red_flag_client_id,
            complaint="Low back pain since a fall on the ice",
            history="Slipped on the stairs two weeks ago; the pain has been worse since.",
            medication="",
            submitted_at=now - timedelta(days=1),
        )
        ScreeningAnswer.objects.bulk_create(
            [
                ScreeningAnswer(
                    intake=flagged,
                    question=q,
                    question_text=q.text,
                    kind=q.kind,
                    advice=q.advice,
                    answer=q.code == "trauma",
                )
                for q in ScreeningQuestion.objects.filter(practice=practice, is_active=True)
            ]
        )
    clara_course = next((p for p in plans if p.client == 0), None)
    if clara_course is not None:
        intake = Intake.objects.create(
            client=clara,
            complaint=clara_course.complaint.text,
            history="For about two years, worse since working from home. Walking and heat "
            "help; long video calls make it worse.",
            medication="Ibuprofen 400 mg now and then",
            submitted_at=min(first_visit.get(clara.pk, now) - timedelta(days=2), now),
        )
        intake.regions.set([regions[c] for c in clara_course.complaint.regions if c in regions])
        ScreeningAnswer.objects.bulk_create(
            [
                ScreeningAnswer(
                    intake=intake,
                    question=q,
                    question_text=q.text,
                    kind=q.kind,
                    advice=q.advice,
                    answer=False,
                )
                for q in ScreeningQuestion.objects.filter(practice=practice, is_active=True)
            ]
        )

    # Records with measures for every completed session, through the one record writer
    # (consent, the held-session rule, the version check), as the therapist wrote them
    # at the end of each session.
    completed: dict[int, list[Session]] = {}
    for session, (p, _course, s) in zip(sessions, session_plans, strict=True):
        if s.status == Session.Status.COMPLETED:
            completed.setdefault(id(p), []).append(session)
    n_records = n_measurements = n_tension = 0
    for p in plans:
        done = completed.get(id(p), [])
        if not done:
            continue
        days = [s.starts_at.astimezone(zone).date() for s in done]
        gaps = [0] + [(b - a).days for a, b in zip(days, days[1:], strict=False)]
        series = simulate_measures(rng, p, gaps)
        for k, (session, m) in enumerate(zip(done, series, strict=True)):
            subjective, objective, assessment, plan = _soap(rng, p, m, k, last=k == len(done) - 1)
            treated = [regions[code] for code in m.tension if code in regions]
            chosen = ["effleurage"] + rng.sample(TECHNIQUE_CODES[1:], rng.randint(1, 3))
            data = SessionRecordData(
                measurements={
                    (measures[code], moment): Decimal(str(value))
                    for (code, moment), value in m.values.items()
                },
                tension={
                    regions[code]: level for code, level in m.tension.items() if code in regions
                },
                techniques=[techniques[c] for c in chosen if c in techniques],
                pressure=rng.choices([2, 3, 4], weights=[35, 50, 15])[0],
                muscles_treated=treated,
                duration_minutes=rng.choice([45, 50, 50, 55]),
                subjective=subjective,
                objective=objective,
                assessment=assessment,
                plan=plan,
            )
            session_record_save(
                session=session,
                data=data,
                user=session.therapist.user,
                expected_version=0,
                now=session.ends_at,
            )
            n_records += 1
            n_measurements += len(data.measurements)
            n_tension += sum(1 for level in data.tension.values() if level)
    if unsigned_client_id is not None:
        # Their signed paper form has not been filed yet: the day view shows it, and no
        # new record can be written for them until it is.
        ConsentRecord.objects.filter(client_id=unsigned_client_id).delete()

    billing_demo_seed(practice=practice, now=now)  # prices, packages, invoices, payments
    summary.courses_active = sum(p.status == Course.Status.ACTIVE for p in plans)
    summary.courses_completed = sum(p.status == Course.Status.COMPLETED for p in plans)
    summary.records = n_records
    summary.measurements = n_measurements
    summary.tension_readings = n_tension
    return summary
