"""The audit trail a data-protection officer can use."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from backcourse.audit import services as audit_services
from backcourse.audit.models import AccessEvent
from backcourse.clients.models import Client
from backcourse.records.models import SessionRecord
from tests.records.helpers import form_data

NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield


def test_a_record_is_not_saved_without_its_audit_row(as_therapist_a, session_a, monkeypatch):
    """Writing the audit row fails (a crash): the record is not saved either."""

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit_services.AccessEvent, "save", lambda *a, **k: broken())
    as_therapist_a.raise_request_exception = False
    response = as_therapist_a.post(reverse("records:edit", args=[session_a.pk]), form_data())
    assert response.status_code == 500
    assert not SessionRecord.objects.filter(session=session_a).exists()


def test_deleting_a_client_is_logged_and_keeps_the_clients_id(client, world_a):
    from tests import factories as f

    operator = f.UserFactory(username="operator", is_staff=True, is_superuser=True)
    person = world_a.objects["clients.client:other"]
    client.force_login(operator)
    pk = person.pk
    SessionRecord.objects.filter(session__client=person).delete()  # not a request: no row
    client.get(reverse("admin:clients_client_change", args=[pk]))
    response = client.post(
        reverse("admin:clients_client_delete", args=[pk]), {"post": "yes"}, follow=True
    )
    assert response.status_code == 200
    assert not Client.objects.filter(pk=pk).exists()
    deleted = AccessEvent.objects.filter(client_ref=pk, action="delete")
    assert deleted.exists()
    assert {e.actor for e in deleted} == {"operator"}
    assert all(e.channel == "admin" for e in deleted)
    # Earlier reads of that client stay, with the id.
    assert AccessEvent.objects.filter(client_ref=pk, action="view").exists()


def test_admin_edits_and_reads_of_records_and_intake_are_logged(client, world_a):
    client.force_login(world_a.staff["owner"].user)
    intake = world_a.objects["clients.intake"]
    record = world_a.objects["records.sessionrecord"]
    person = world_a.objects["clients.client"]
    client.get(reverse("admin:clients_intake_change", args=[intake.pk]))
    assert AccessEvent.objects.filter(client_ref=person.pk, what="admin: intake").exists()
    client.get(reverse("admin:records_sessionrecord_change", args=[record.pk]))
    before = AccessEvent.objects.filter(action="change").count()
    SessionRecordForm = None  # noqa: N806  (the admin posts the whole form)
    page = client.get(reverse("admin:records_sessionrecord_change", args=[record.pk]))
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        {
            "session": record.session_id,
            "subjective": "Changed in the admin",
            "objective": "",
            "assessment": "",
            "plan": "",
            "pressure": record.pressure or "",
            "duration_minutes": record.duration_minutes or "",
            "measurements-TOTAL_FORMS": "0",
            "measurements-INITIAL_FORMS": "0",
            "tension-TOTAL_FORMS": "0",
            "tension-INITIAL_FORMS": "0",
        }
    )
    del SessionRecordForm
    client.post(reverse("admin:records_sessionrecord_change", args=[record.pk]), data)
    record.refresh_from_db()
    assert record.subjective == "Changed in the admin"
    assert AccessEvent.objects.filter(action="change").count() == before + 1
    client.post(reverse("admin:records_sessionrecord_delete", args=[record.pk]), {"post": "yes"})
    assert AccessEvent.objects.filter(
        client_ref=person.pk, action="delete", what__startswith="session record"
    ).exists()


def test_owners_see_and_filter_the_trail_and_nobody_can_change_it(client, world_a, world_b):
    person = world_a.objects["clients.client"]
    therapist = world_a.staff["therapist"]
    client.force_login(therapist.user)
    client.get(reverse("clients:detail", args=[person.pk]), REMOTE_ADDR="203.0.113.5")
    assert client.get(reverse("audit:trail")).status_code == 403  # not an owner

    client.force_login(world_a.staff["owner"].user)
    page = client.get(
        reverse("audit:trail"),
        {"who": therapist.user.username, "client": person.pk, "ip": "203.0.113.5"},
    )
    assert page.status_code == 200
    rows = list(page.context["page"])
    assert rows and all(r.actor == therapist.user.username for r in rows)
    assert rows[0].what == "client page" and rows[0].ip_address == "203.0.113.5"
    text = page.content.decode()
    assert "AlphaClara" in text and "Zebra" not in text
    assert client.post(reverse("audit:trail")).status_code == 405

    event = rows[0]
    event.what = "nothing to see"
    with pytest.raises(PermissionDenied):
        event.save()
    with pytest.raises(PermissionDenied):
        event.delete()
    with pytest.raises(PermissionDenied):
        AccessEvent.objects.filter(pk=event.pk).update(what="x")
    with pytest.raises(PermissionDenied):
        AccessEvent.objects.all().delete()
    # The admin shows it read-only.
    response = client.get(reverse("admin:audit_accessevent_change", args=[event.pk]))
    assert response.status_code == 200 and "Save" not in response.content.decode()


@pytest.mark.parametrize(
    "url_name", ["scheduling:day", "scheduling:week", "clients:list"], ids=["day", "week", "list"]
)
def test_list_pages_log_one_read_per_client_shown(client, world_a, url_name):
    client.force_login(world_a.staff["front_desk"].user)
    client.get(reverse(url_name) + ("?date=2026-11-02" if url_name.endswith("day") else ""))
    shown = set(
        AccessEvent.objects.filter(actor=world_a.staff["front_desk"].user.username).values_list(
            "client_ref", flat=True
        )
    )
    assert world_a.objects["clients.client"].pk in shown


def test_calendar_feeds_and_files_are_logged(client, world_a):
    feed = world_a.objects["notifications.calendarfeed:staff"]
    response = client.get(reverse("notifications:feed", args=[feed.token]))
    assert response.status_code == 200
    assert AccessEvent.objects.filter(what=f"calendar feed {feed.pk}", channel="calendar").exists()


def test_a_list_page_writes_one_full_row_per_client_shown(client, world_a):
    """The rows of a list page (written in one statement on PostgreSQL): who, from where
    (the address as the field stores it), when, which practice and client, in the order
    shown."""
    therapist = world_a.staff["therapist"]
    client.force_login(therapist.user)
    before = AccessEvent.objects.values_list("id", flat=True).order_by("-id").first() or 0
    page = client.get(reverse("clients:list"), REMOTE_ADDR="2001:0db8::0001")
    assert page.status_code == 200
    shown = [c.pk for c in page.context["page"].object_list]
    rows = list(AccessEvent.objects.filter(id__gt=before).order_by("id"))
    assert shown and [r.client_id for r in rows] == shown
    for r in rows:
        assert (r.user_id, r.actor) == (therapist.user.pk, therapist.user.username)
        assert (r.practice_id, r.client_ref) == (world_a.practice.pk, r.client_id)
        assert (r.action, r.channel, r.what) == ("view", "page", "client list")
        assert r.ip_address == "2001:db8::1" and r.at == NOW


def test_a_list_pages_rows_are_one_per_client_and_written_in_batches(
    rf, therapist_a, client_a, monkeypatch
):
    """access_events_record_many writes the same rows as a single read (who, from where,
    which client), one per distinct client, also when it needs several INSERTs."""
    from tests import factories as f

    others = [f.ClientFactory(practice=therapist_a.practice) for _ in range(4)]
    request = rf.get("/today/", REMOTE_ADDR="10.1.2.3")
    request.user = therapist_a.user
    monkeypatch.setattr(
        audit_services.connections["default"].ops, "bulk_batch_size", lambda fields, objs: 2
    )
    shown = [client_a, *others, client_a, others[0]]
    assert audit_services.access_events_record_many(request=request, clients=shown, what="x") == 5
    rows = list(AccessEvent.objects.order_by("client_ref"))
    assert [e.client_id for e in rows] == sorted(c.pk for c in [client_a, *others])
    single = audit_services.access_event_record(request=request, client=client_a, what="x")
    for event in rows:
        assert event.client_ref == event.client_id
        for name in ("user_id", "actor", "practice_id", "action", "channel", "what", "ip_address"):
            assert getattr(event, name) == getattr(single, name), name
        assert event.at == NOW
    assert rows[0].ip_address == "10.1.2.3" and rows[0].actor == therapist_a.user.username
