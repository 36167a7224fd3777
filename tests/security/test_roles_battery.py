"""Every URL pattern × every role × own, other-client and other-practice objects: no
leak and no server error. See tests/security/battery.py for how URLs are filled in."""

from datetime import UTC, datetime

import pytest
import time_machine

from backcourse.api.services import api_token_create
from tests.security.battery import run_battery

NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)  # the morning of the world's first session

ROLES = ["anonymous", "owner", "therapist", "therapist_own_clients", "front_desk", "client"]


def forbidden_for(role: str, world_a, world_b):
    """What `role` (in practice A, or nobody) must never see."""
    m = world_a.markers
    other_practice = ["zebra", *world_b.markers["clinical"], *world_b.markers["client"]]
    credentials = list(world_a.secrets.values())

    def forbidden(url: str) -> list[str]:
        texts = list(other_practice)
        if role == "anonymous":
            texts += m["other_client"] + m["other_clinical"]
            if not any(secret in url for secret in credentials):
                texts += m["client"] + m["clinical"]
        elif role == "client":
            texts += m["other_client"] + m["other_clinical"]
        elif role == "front_desk":
            # a course's complaint is clinical: front desk books and bills without it
            texts += m["clinical"] + m["other_clinical"] + m["complaints"]
        elif role == "therapist_own_clients":
            texts += m["other_clinical"] + m["other_complaints"]
        return texts

    return forbidden


def _login(client, role, world_a):
    if role == "anonymous":
        return None
    if role == "client":
        client.force_login(world_a.objects["clients.client"].user)
        return None
    staff_key = "therapist" if role == "therapist_own_clients" else role
    staff = world_a.staff[staff_key]
    if role == "therapist_own_clients":
        world_a.practice.therapist_clinical_scope = "own"
        world_a.practice.save()
    client.force_login(staff.user)
    _, token = api_token_create(staff=staff, name="battery")
    return token


def audited_for(role: str, world_a):
    """Health data of practice A that, when a page shows it to staff (or to a calendar
    app through a feed), must be logged by that same request."""
    m = world_a.markers
    health = m["clinical"] + m["other_clinical"] + m["complaints"]
    feeds = (world_a.secrets["client_feed"], world_a.secrets["staff_feed"])

    def audited(url: str) -> list[str]:
        if role == "client":
            return []  # a client reading their own data
        if role == "anonymous":
            return m["client"] + health if any(t in url for t in feeds) else []
        return health

    return audited


# Each request's rolled-back transaction must be a real one, not a savepoint inside one
# long test transaction: thousands of subtransactions make every PostgreSQL query slower
# (the battery took 40 minutes there instead of a few). Sequences start again at 1, so
# the battery asks the same requests whatever ran before it (see `battery_values`).
@pytest.mark.django_db(transaction=True, reset_sequences=True)
@pytest.mark.parametrize("role", ROLES)
def test_no_leak_and_no_server_error(client, world_a, world_b, role):
    with time_machine.travel(NOW, tick=False):
        token = _login(client, role, world_a)
        tally = run_battery(
            client,
            role=role,
            world_a=world_a,
            world_b=world_b,
            forbidden=forbidden_for(role, world_a, world_b),
            audited=audited_for(role, world_a),
            api_token=token,
        )
    print(
        f"\n{role}: {tally.requests} requests over {tally.patterns} URL patterns, "
        f"leaks {len(tally.leaks)}, 5xx {len(tally.errors)}, audit gaps "
        f"{len(tally.audit_gaps)} (audited reads {tally.audited_reads}), "
        f"no-store gaps {len(tally.cache_gaps)}, "
        f"statuses {dict(tally.statuses)}"
    )
    assert not tally.skipped, tally.skipped
    assert tally.leaks == [], "\n".join(map(str, tally.leaks[:20]))
    assert tally.errors == [], "\n".join(map(str, tally.errors[:20]))
    assert tally.audit_gaps == [], "\n".join(map(str, tally.audit_gaps[:30]))
    assert tally.cache_gaps == [], "\n".join(map(str, tally.cache_gaps[:30]))


def test_the_battery_finds_a_leak_when_there_is_one(client, world_a, world_b):
    """Front desk may see client names: asked to forbid them, the battery reports them."""
    client.force_login(world_a.staff["front_desk"].user)
    with time_machine.travel(NOW, tick=False):
        tally = run_battery(
            client,
            role="front_desk",
            world_a=world_a,
            world_b=world_b,
            forbidden=lambda url: world_a.markers["client"],
            only="clients/",
        )
    leaked = {finding.url for finding in tally.leaks}
    client_page = f"/clients/{world_a.objects['clients.client'].pk}/"
    assert client_page in leaked and "/clients/" in leaked


def test_the_battery_ignores_a_csrf_token_that_spells_a_marker_by_chance():
    """A CSRF token is random; "zebra" inside one is chance, not practice B's data. The
    same word anywhere else on the page is still found."""
    from django.http import HttpResponse

    from tests.security.battery import _body

    token = "aB3" + "zEbRa" + "x" * 56
    page = HttpResponse(
        f'<form><input type="hidden" name="csrfmiddlewaretoken" value="{token}"></form>'
        '<a href="/book/zebra/">Zebra Studio</a>'
    )
    body = _body(page).lower()
    assert "zebra" not in body.split("<a")[0]
    assert "/book/zebra/" in body and "zebra studio" in body
