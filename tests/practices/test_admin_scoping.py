"""The admin for a practice owner: their practice's data only, the rest as if absent."""

import pytest
from django.urls import reverse

from backcourse.measures.models import MeasureDefinition, Technique
from backcourse.practices.models import StaffMember
from backcourse.practices.services import OWNER_GROUP, staff_member_make_owner
from backcourse.scheduling.models import Room
from tests import factories as f


@pytest.fixture
def owner_a(practice_a):
    return f.StaffFactory(
        practice=practice_a, user__username="olga", role="owner", takes_sessions=False
    )


@pytest.fixture
def as_owner_a(client, owner_a):
    client.force_login(owner_a.user)
    return client


@pytest.fixture
def rooms(practice_a, other_practice):
    return (
        f.RoomFactory(practice=practice_a, name="Garden room"),
        f.RoomFactory(practice=other_practice, name="Secret basement"),
    )


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


def test_an_owner_gets_staff_status_and_the_owner_group_and_loses_them(therapist_a):
    user = therapist_a.user
    assert not user.is_staff
    staff_member_make_owner(staff=therapist_a)
    user.refresh_from_db()
    assert user.is_staff and user.groups.filter(name=OWNER_GROUP).exists()

    therapist_a.role = StaffMember.Role.THERAPIST
    therapist_a.save()
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.filter(name=OWNER_GROUP).exists()


def test_a_deleted_owner_loses_the_admin(owner_a):
    user = owner_a.user
    owner_a.delete()
    user.refresh_from_db()
    assert not user.is_staff and not user.groups.exists()


def test_changelists_show_only_the_owners_practice(
    as_owner_a, client_a, client_b, session_a, session_b, rooms
):
    page = as_owner_a.get(admin_url("clients_client_changelist")).content.decode()
    assert "Adler" in page and "Brandt" not in page
    assert "Other Studio" not in page  # no practice filter listing other practices

    page = as_owner_a.get(admin_url("scheduling_room_changelist")).content.decode()
    assert "Garden room" in page and "Secret basement" not in page

    response = as_owner_a.get(admin_url("scheduling_session_changelist"))
    assert list(response.context["cl"].result_list) == [session_a]


def test_another_practices_objects_are_answered_as_missing(
    as_owner_a, client_b, session_b, rooms, other_practice
):
    for url in [
        admin_url("clients_client_change", client_b.pk),
        admin_url("scheduling_session_change", session_b.pk),
        admin_url("scheduling_room_change", rooms[1].pk),
        admin_url("scheduling_room_delete", rooms[1].pk),
        admin_url("practices_practice_change", other_practice.pk),
    ]:
        response = as_owner_a.get(url, follow=True)
        assert response.redirect_chain[-1][0] == admin_url("index"), url
        assert "doesn’t exist" in response.content.decode(), url
        assert "Boris" not in response.content.decode()


def test_the_owner_cannot_change_another_practices_object_by_posting(as_owner_a, rooms):
    other_room = rooms[1]
    as_owner_a.post(
        admin_url("scheduling_room_change", other_room.pk), {"name": "Mine now", "is_active": "on"}
    )
    other_room.refresh_from_db()
    assert other_room.name == "Secret basement"


def test_choices_exclude_another_practices_objects(
    as_owner_a, client_a, client_b, therapist_a, therapist_b, course_a, course_b, rooms
):
    response = as_owner_a.get(admin_url("scheduling_session_add"))
    form = response.context["adminform"].form
    assert list(form.fields["client"].queryset) == [client_a]
    therapists = set(form.fields["therapist"].queryset)
    assert therapist_a in therapists and therapist_b not in therapists
    assert list(form.fields["course"].queryset) == [course_a]
    assert list(form.fields["room"].queryset) == [rooms[0]]
    assert form.fields["practice"].disabled


def test_choosing_another_practices_client_is_refused(as_owner_a, practice_a, client_b):
    response = as_owner_a.post(
        admin_url("courses_course_add"),
        {"client": client_b.pk, "complaint": "Low back", "status": "active", "phase": "acute"},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not client_b.courses.exists()


def test_a_new_room_belongs_to_the_owners_practice(as_owner_a, practice_a, other_practice):
    page = as_owner_a.get(admin_url("scheduling_room_add")).content.decode()
    assert "Other Studio" not in page
    # A forged practice is ignored: the field is fixed to the owner's practice.
    response = as_owner_a.post(
        admin_url("scheduling_room_add"),
        {"name": "Room 3", "is_active": "on", "practice": other_practice.pk},
    )
    assert response.status_code == 302
    room = Room.objects.get(name="Room 3")
    assert room.practice == practice_a


def test_the_owner_edits_their_own_practice_but_adds_or_deletes_none(
    as_owner_a, practice_a, other_practice
):
    response = as_owner_a.get(admin_url("practices_practice_changelist"))
    assert list(response.context["cl"].result_list) == [practice_a]
    assert as_owner_a.get(admin_url("practices_practice_change", practice_a.pk)).status_code == 200
    assert as_owner_a.get(admin_url("practices_practice_add")).status_code == 403
    assert as_owner_a.get(admin_url("practices_practice_delete", practice_a.pk)).status_code == 403


def test_a_therapist_cannot_use_the_admin(as_therapist_a, therapist_a, client_a):
    response = as_therapist_a.get(admin_url("clients_client_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response.url

    # Even with staff status and the owner's permissions: not an owner, no admin.
    user = therapist_a.user
    user.is_staff = True
    user.save()
    from backcourse.practices.services import owner_group

    user.groups.add(owner_group())
    assert as_therapist_a.get(admin_url("clients_client_changelist")).status_code == 403
    index = as_therapist_a.get(admin_url("index"))
    assert "Adler" not in index.content.decode()
    assert index.context["app_list"] == []


def test_an_inactive_owner_cannot_use_the_admin(client, owner_a):
    owner_a.is_active = False
    owner_a.save()
    client.force_login(owner_a.user)
    response = client.get(admin_url("clients_client_changelist"))
    assert response.status_code == 302


def test_vocabularies_are_view_only_for_owners(as_owner_a):
    measure = MeasureDefinition.objects.first()
    technique = Technique.objects.first()
    assert as_owner_a.get(admin_url("measures_measuredefinition_changelist")).status_code == 200
    page = as_owner_a.get(admin_url("measures_measuredefinition_change", measure.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    assert as_owner_a.get(admin_url("measures_technique_add")).status_code == 403
    assert as_owner_a.get(admin_url("measures_technique_delete", technique.pk)).status_code == 403
    as_owner_a.post(
        admin_url("measures_technique_change", technique.pk), {"name": "Changed", "code": "x"}
    )
    technique.refresh_from_db()
    assert technique.name != "Changed"


def test_owners_read_their_practices_access_events(as_owner_a, practice_a, other_practice):
    from backcourse.audit.models import AccessEvent

    mine = AccessEvent.objects.create(practice=practice_a, action="view", what="client page A")
    AccessEvent.objects.create(practice=other_practice, action="view", what="client page B")
    response = as_owner_a.get(admin_url("audit_accessevent_changelist"))
    assert list(response.context["cl"].result_list) == [mine]
    page = as_owner_a.get(admin_url("audit_accessevent_change", mine.pk))
    assert page.status_code == 200 and page.context["has_change_permission"] is False


def test_a_superuser_sees_every_practice(admin_client, client_a, client_b, rooms):
    page = admin_client.get(admin_url("clients_client_changelist")).content.decode()
    assert "Adler" in page and "Brandt" in page
    response = admin_client.get(admin_url("scheduling_room_change", rooms[1].pk))
    assert response.status_code == 200


def test_every_admin_of_practice_data_is_scoped_for_owners(
    as_owner_a, client_b, session_b, session_a, rooms
):
    """Each changelist the owner may open shows nothing of the other practice."""
    from django.contrib import admin

    seen = 0
    for model in admin.site._registry:
        opts = model._meta
        response = as_owner_a.get(admin_url(f"{opts.app_label}_{opts.model_name}_changelist"))
        if response.status_code != 200:
            continue
        if opts.app_label == "measures":
            continue
        page = response.content.decode()
        assert "Brandt" not in page and "Other Studio" not in page, opts.label
        seen += 1
        add = as_owner_a.get(admin_url(f"{opts.app_label}_{opts.model_name}_add"))
        assert add.status_code in (200, 403), opts.label
        for obj in response.context["cl"].result_list[:1]:
            change = as_owner_a.get(admin_url(f"{opts.app_label}_{opts.model_name}_change", obj.pk))
            assert change.status_code == 200, opts.label
    assert seen >= 20


def test_opening_health_data_in_the_admin_is_audited(as_owner_a, owner_a, session_a):
    from backcourse.audit.models import AccessEvent
    from backcourse.records.models import SessionRecord

    record = SessionRecord.objects.create(session=session_a)
    as_owner_a.get(admin_url("clients_client_change", session_a.client_id))
    as_owner_a.get(admin_url("records_sessionrecord_change", record.pk))
    events = AccessEvent.objects.filter(user=owner_a.user, client=session_a.client)
    assert sorted(events.values_list("what", flat=True)) == [
        "admin: client",
        "admin: session record",
    ]
