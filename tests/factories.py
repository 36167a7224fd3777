"""factory_boy factories for the core model. Vocabulary rows come from the migration."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import factory

from backcourse.accounts.models import User
from backcourse.clients.models import Client
from backcourse.courses.models import Course
from backcourse.measures.models import MeasureDefinition
from backcourse.practices.models import Practice, StaffMember
from backcourse.scheduling.models import Room, Session

PASSWORD = "correct-horse-battery"


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Practice {n}")
    slug = factory.Sequence(lambda n: f"practice-{n}")
    time_zone = "Europe/Berlin"
    language = "en"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):  # noqa: N805
        if create:
            obj.save()


class StaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember

    user = factory.SubFactory(UserFactory)
    practice = factory.SubFactory(PracticeFactory)
    role = StaffMember.Role.THERAPIST


class ClientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Client

    practice = factory.SubFactory(PracticeFactory)
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda c: f"{c.first_name}.{c.last_name}@example.org".lower())
    phone = "+49 30 1234567"


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    practice = factory.SelfAttribute("client.practice")
    client = factory.SubFactory(ClientFactory)
    therapist = factory.SubFactory(StaffFactory, practice=factory.SelfAttribute("..practice"))
    complaint = "Chronic low back pain"
    goal_measure = factory.LazyFunction(lambda: MeasureDefinition.objects.get(code="pain"))
    goal_kind = Course.GoalKind.TARGET
    goal_value = Decimal("3")
    planned_sessions = 8
    started_on = factory.LazyFunction(lambda: date(2026, 11, 2))


class RoomFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Room

    practice = factory.SubFactory(PracticeFactory)
    name = factory.Sequence(lambda n: f"Room {n}")


class SessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Session

    course = factory.SubFactory(CourseFactory)
    client = factory.SelfAttribute("course.client")
    practice = factory.SelfAttribute("course.practice")
    therapist = factory.SelfAttribute("course.therapist")
    starts_at = factory.Sequence(
        lambda n: datetime(2026, 11, 2, 9, tzinfo=UTC) + timedelta(days=7 * n)
    )
    duration_minutes = 60
