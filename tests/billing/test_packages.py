"""Packages are drawn down by held sessions through every status path; fees are proposed
when staff mark a session, and can be invoiced or waived."""

from datetime import UTC, date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backcourse.billing import selectors, services
from backcourse.billing.models import BillingSettings, FeeProposal, PackageDraw
from backcourse.records.services import SessionRecordData, session_record_save
from backcourse.scheduling.errors import SchedulingError
from backcourse.scheduling.services import session_cancel, session_status_set
from tests import factories as f

from .conftest import NOW

pytestmark = pytest.mark.usefixtures("frozen", "money_a")


@pytest.fixture
def package(client_a, course_a, price_a, front_desk_a):
    pkg, invoice = services.package_sell(
        client=client_a,
        course=course_a,
        name="Back course 6",
        sessions_total=6,
        price="390",
        months=3,
        valid_from=date(2026, 11, 1),
        by=front_desk_a.user,
    )
    return pkg


def used(pkg) -> int:
    return PackageDraw.objects.filter(package=pkg).count()


def test_selling_a_package_issues_its_invoice(package):
    line = package.invoice_lines.get()
    assert line.invoice.total == Decimal("390.00") and line.kind == "package"
    assert "6 sessions, valid until 31 January 2027" in line.description  # "en": British dates
    assert package.valid_until == date(2027, 1, 31)


def test_completed_through_the_status_service_draws_and_correction_gives_back(
    package, make_session
):
    s = make_session(days=-1 / 48)  # began half an hour ago: check-in is open
    session_status_set(session=s, status="checked_in")
    assert used(package) == 0  # checked in is not yet held
    session_status_set(session=s, status="completed")
    assert used(package) == 1
    with pytest.raises(SchedulingError):  # the same status again is refused: no second draw
        session_status_set(session=s, status="completed")
    assert used(package) == 1
    session_status_set(session=s, status="no_show")  # corrected; policy: a no-show draws
    assert used(package) == 1
    session_status_set(session=s, status="booked")  # the no-show was a mistake too
    assert used(package) == 0


def test_saving_the_record_completes_and_draws(package, make_session, therapist_a):
    s = make_session(days=-1)
    session_record_save(
        session=s, data=SessionRecordData(), user=therapist_a.user, expected_version=0
    )
    s.refresh_from_db()
    assert s.status == "completed" and used(package) == 1


def test_cancelled_sessions_do_not_draw(package, make_session):
    s = make_session(days=3)
    session_cancel(session=s, by_client=True, now=NOW)
    s.refresh_from_db()
    assert s.status == "cancelled" and used(package) == 0


@pytest.mark.parametrize(("policy", "draws"), [("draw", 1), ("keep", 0)])
def test_no_show_follows_the_practice_policy(package, make_session, money_a, policy, draws):
    BillingSettings.objects.filter(pk=money_a.pk).update(no_show_policy=policy)
    s = make_session(days=-1)
    session_status_set(session=s, status="no_show", now=NOW)
    assert used(package) == draws
    session_status_set(session=s, status="completed")  # it was a mistake: they came
    assert used(package) == 1


def test_the_package_is_not_overdrawn_and_balance_is_shown(package, make_session, client_a):
    sessions = [make_session(days=-20 + d) for d in range(7)]
    for s in sessions:
        session_status_set(session=s, status="completed")
    assert used(package) == 6
    assert not PackageDraw.objects.filter(session=sessions[-1]).exists()
    (balance,) = selectors.package_balances(client_a)
    assert (balance.used, balance.left, balance.expired) == (6, 0, False)
    # the seventh is billed on its own, the six are not
    assert list(selectors.uninvoiced_held_sessions(client_a)) == [sessions[-1]]


def test_sessions_held_before_the_sale_use_the_package(client_a, course_a, make_session, price_a):
    s = make_session(days=-3, status="completed")
    pkg, _invoice = services.package_sell(
        client=client_a,
        course=course_a,
        name="P",
        sessions_total=5,
        price="300",
        months=2,
        valid_from=date(2026, 11, 1),
    )
    assert PackageDraw.objects.get(session=s).package == pkg


def test_the_balance_counts_the_sessions_booked_in_the_package(
    package, make_session, client_a, course_a
):
    """Booked (or checked-in) sessions of the package's course, not drawn yet, whose day
    (in the current time zone) lies in the package's validity: 1 Nov 2026 - 31 Jan 2027."""
    for d in (1, 2, 3):
        make_session(days=d)
    make_session(days=4, status="checked_in")
    make_session(days=5, status="cancelled")  # not booked
    make_session(  # not for the course
        days=6,
        course=None,
        client=client_a,
        practice=client_a.practice,
        therapist=course_a.therapist,
    )
    other = f.CourseFactory(client=client_a, therapist=course_a.therapist)
    make_session(days=7, course=other)
    # The last day in Berlin, and the first day after it (23:30 UTC is 00:30 in Berlin).
    f.SessionFactory(course=course_a, starts_at=datetime(2027, 1, 31, 22, 30, tzinfo=UTC))
    f.SessionFactory(course=course_a, starts_at=datetime(2027, 1, 31, 23, 30, tzinfo=UTC))
    make_session(days=-40)  # 16 October 2026: before the package
    with timezone.override(ZoneInfo("Europe/Berlin")):
        (balance,) = selectors.package_balances(client_a)
    assert balance.booked == 5
    with timezone.override(UTC):
        (balance,) = selectors.package_balances(client_a)
    assert balance.booked == 6


def test_the_balances_take_the_same_queries_however_many_packages(
    package, make_session, client_a, django_assert_num_queries
):
    make_session(days=1)
    for n in range(3):
        services.package_sell(
            client=client_a, name=f"Any {n}", sessions_total=5, price="300", months=3
        )
    client_a.practice  # noqa: B018 - loaded, as the pages have it
    with django_assert_num_queries(3):  # the packages, the sessions drawn, those booked
        balances = selectors.package_balances(client_a)
    assert [b.booked for b in balances] == [1, 1, 1, 1]


def test_a_client_without_packages_costs_one_query(client_a, django_assert_num_queries):
    client_a.practice  # noqa: B018 - loaded, as the pages have it
    with django_assert_num_queries(1):
        assert selectors.package_balances(client_a) == []


def test_booking_past_the_package_end_or_after_expiry_says_so(package, make_session):
    for d in range(5):
        make_session(days=1 + d)  # five booked ahead, six in the package
    sixth = make_session(days=7)
    assert "1 sessions left" not in selectors.package_notice(sixth)
    assert "0 sessions left after this one" in selectors.package_notice(sixth)
    seventh = make_session(days=8)
    assert "past the end of the package" in selectors.package_notice(seventh)
    late = make_session(days=80)  # after 31 January 2027
    assert "expired on 2027-01-31" in selectors.package_notice(late)


def test_package_bad_input(client_a, price_a):
    with pytest.raises(ValidationError, match="between 1 and 100 sessions"):
        services.package_sell(client=client_a, name="x", sessions_total=0, price="1", months=3)
    with pytest.raises(ValidationError, match="cannot be negative"):
        services.package_sell(client=client_a, name="x", sessions_total=5, price="-1", months=3)
    assert not client_a.packages.exists()


# --------------------------------------------------------------------------- fees


def test_no_show_proposes_the_fee_and_it_can_be_invoiced(make_session, client_a, front_desk_a):
    s = make_session(days=-1)
    session_status_set(session=s, status="no_show", now=NOW)
    fee = FeeProposal.objects.get(session=s)
    assert (fee.kind, fee.amount, fee.state) == ("no_show", Decimal("40.00"), "proposed")
    invoice = services.fee_invoice(fee=fee, by=front_desk_a.user)
    assert invoice.total == Decimal("40.00") and "No-show fee" in invoice.lines.get().description
    fee.refresh_from_db()
    assert fee.state == "invoiced"
    with pytest.raises(ValidationError, match="already invoiced"):
        services.fee_invoice(fee=fee)


def test_fee_is_waived_only_with_a_reason(make_session, front_desk_a):
    s = make_session(days=-1)
    session_status_set(session=s, status="no_show")
    fee = FeeProposal.objects.get(session=s)
    with pytest.raises(ValidationError, match="Say why"):
        services.fee_waive(fee=fee, reason="  ")
    services.fee_waive(fee=fee, reason="Child was ill", by=front_desk_a.user)
    fee.refresh_from_db()
    assert (fee.state, fee.waive_reason) == ("waived", "Child was ill")


def test_late_cancellation_proposes_a_fee_early_does_not(make_session):
    late = make_session(days=0.5)  # 12 h ahead, notice is 24 h
    early = make_session(days=3)
    session_cancel(session=late, by_client=False, now=NOW)
    session_cancel(session=early, by_client=False, now=NOW)
    assert FeeProposal.objects.get().session == late
    assert FeeProposal.objects.get().kind == "late_cancel"


def test_corrected_no_show_withdraws_the_proposed_fee(make_session):
    s = make_session(days=-1)
    session_status_set(session=s, status="no_show")
    session_status_set(session=s, status="completed")
    assert not FeeProposal.objects.exists()


def test_no_fee_when_the_practice_charges_none(make_session, money_a):
    BillingSettings.objects.filter(pk=money_a.pk).update(no_show_fee=0)
    session_status_set(session=make_session(days=-1), status="no_show", now=NOW)
    assert not FeeProposal.objects.exists()


def test_balances_take_the_courses_the_page_has_and_render_the_same(
    package, client_a, course_a, django_assert_num_queries
):
    """The client and course pages pass the courses they loaded: the packages' courses
    are taken from them (no join), and the section reads the same as with the join."""
    from django.template import Context, Template

    services.package_sell(client=client_a, name="Any", sessions_total=5, price="300", months=3)
    client_a.practice  # noqa: B018 - loaded, as the pages have it
    joined = selectors.package_balances(client_a)
    courses = {course_a.pk: course_a}
    with django_assert_num_queries(3):  # the packages, the sessions drawn, those booked
        given = selectors.package_balances(client_a, courses=courses)
        assert {b.package.name: b.package.course for b in given} == {
            "Back course 6": course_a,
            "Any": None,
        }
    assert [(b.package.pk, b.used, b.booked) for b in given] == [
        (b.package.pk, b.used, b.booked) for b in joined
    ]
    # A course not given is still there when asked for.
    lazy = selectors.package_balances(client_a, courses={})
    assert {b.package.name: b.package.course for b in lazy}["Back course 6"] == course_a

    def render(text):
        return Template("{% load billing %}" + text).render(
            Context({"client": client_a, "course": course_a, "courses": [course_a]})
        )

    label = f"Course since {course_a.started_on.isoformat()}"
    plain = render("{% package_balance client %}")
    assert label in plain and "Back course 6" in plain and "Any" in plain
    assert render("{% package_balance client courses=courses %}") == plain
    on_course = render("{% package_balance client course=course %}")
    assert label in on_course and "Any" in on_course
    with django_assert_num_queries(3):  # no course: none needed for the compact list
        compact = render("{% package_balance client compact=True %}")
    assert label not in compact and "Back course 6" in compact
