"""Another practice's ids in the admin's add and change pages show nothing of it.

Every registered ModelAdmin, every add page and the change page of one of the owner's
own rows, each opened with every foreign-key (and many-to-many) parameter set to the
ids of the other practice's rows. The other practice's every free-text value carries
the tag "Zebra"; no page may contain it.
"""

import contextlib
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.urls import NoReverseMatch, reverse

from backcourse.practices.admin_scoping import PracticeScopedAdmin, practice_scoped


def _b_ids(model, world_b):
    qs = practice_scoped(model._default_manager.all(), world_b.practice, admin_site=admin.site)
    return list(qs.values_list("pk", flat=True)[:3])


def _own_row(model, world_a):
    label = model._meta.label_lower
    if label in world_a.objects:
        return world_a.objects[label]
    qs = practice_scoped(model._default_manager.all(), world_a.practice, admin_site=admin.site)
    return qs.first()


def test_no_admin_page_shows_another_practices_rows_for_their_ids(client, world_a, world_b):
    client.force_login(world_a.staff["owner"].user)
    tried = 0
    uncovered: set[str] = set()
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        pages = []
        with contextlib.suppress(NoReverseMatch):
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
        own = _own_row(model, world_a)
        if isinstance(model_admin, PracticeScopedAdmin) and own is None:
            uncovered.add(opts.label)  # add page and list only: extend world.py
        if own is not None:
            pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[own.pk]))
        pages.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"))

        params = []
        for fld in opts.get_fields():
            if not (fld.is_relation and fld.concrete) or fld.related_model is None:
                continue
            if fld.related_model._meta.app_label in {"measures", "auth", "contenttypes"}:
                continue  # shared vocabulary, groups, permissions: nobody's secret
            ids = _b_ids(fld.related_model, world_b)
            if not ids:
                uncovered.add(fld.related_model._meta.label)
                continue
            params.append((fld.name, ids))
        queries = [urlencode({name: ids[0]}) for name, ids in params]
        queries.append(urlencode({name: ",".join(map(str, ids)) for name, ids in params}))
        queries.append(urlencode({f"{name}__id__exact": ids[0] for name, ids in params}))
        for page in pages:
            for query in queries:
                url = f"{page}?{query}" if query else page
                response = client.get(url, follow=True)
                tried += 1
                assert response.status_code < 500, url
                body = response.content.decode()
                assert "zebra" not in body.lower(), f"{url} shows practice B's data"
    assert tried > 100
    print(
        f"admin pages tried with another practice's ids: {tried}; models without a row in "
        f"the test world (no change page / no ids): {len(uncovered)} {sorted(uncovered)}"
    )
    # The models the world covers (every admin of issue 10's time) must stay covered.
    assert not uncovered & {
        "clients.Client",
        "courses.Course",
        "scheduling.Session",
        "records.SessionRecord",
        "clients.Intake",
        "portal.CheckIn",
        "portal.QuestionnaireResponse",
        "notifications.CalendarFeed",
        "api.ApiToken",
    }


@pytest.mark.parametrize(
    "page, param, leaked",
    [
        ("courses_course_add", "client", "client"),
        ("scheduling_session_add", "course", "course"),
        ("records_sessionrecord_add", "session", "session"),
    ],
)
def test_the_reported_raw_id_leaks_are_closed(client, world_a, world_b, page, param, leaked):
    """The three cases from the report: B's client name, complaint, client and time."""
    client.force_login(world_a.staff["owner"].user)
    b_row = world_b.objects[f"{leaked}s.{leaked}" if leaked != "session" else "scheduling.session"]
    response = client.get(reverse(f"admin:{page}") + f"?{param}={b_row.pk}")
    assert response.status_code == 200
    assert str(b_row) not in response.content.decode()
    # The owner's own row is still labelled (the widget works).
    a_row = world_a.objects[f"{leaked}s.{leaked}" if leaked != "session" else "scheduling.session"]
    response = client.get(reverse(f"admin:{page}") + f"?{param}={a_row.pk}")
    assert str(a_row)[:20] in response.content.decode()


def test_the_view_on_site_shortcut_looks_nothing_up(client, world_a, world_b):
    """The admin's `r/<type>/<id>/` answers the same 404 for practice A's row, practice
    B's row, a missing row and an id that is no valid key of its model (a task result's
    UUID key was a 500): no page tells which ids exist in another practice."""
    from django.contrib.contenttypes.models import ContentType
    from django_tasks_db.models import DBTaskResult

    client.force_login(world_a.staff["owner"].user)
    client.raise_request_exception = False
    clients = ContentType.objects.get_for_model(world_a.objects["clients.client"])
    task_results = ContentType.objects.get_for_model(DBTaskResult)
    answers = set()
    for type_id, object_id in [
        (clients.pk, world_a.objects["clients.client"].pk),
        (clients.pk, world_b.objects["clients.client"].pk),
        (clients.pk, 2**40),
        (task_results.pk, 1),
    ]:
        url = reverse("admin:view_on_site", args=[type_id, object_id])
        response = client.get(url)
        answers.add((response.status_code, response.content))
    assert len(answers) == 1 and next(iter(answers))[0] == 404
