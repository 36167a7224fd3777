"""Confirming an erasure ends every way in to the client's data in the same step."""

from datetime import UTC, datetime

import time_machine
from django.contrib.sessions.models import Session as LoginSession
from django.test import Client as Browser
from django.urls import reverse

from backcourse.portal.models import EmailToken, ErasureRequest

NOW = datetime(2026, 11, 2, 7, 30, tzinfo=UTC)


def test_erasure_revokes_feeds_links_and_sessions_and_the_feed_serves_nothing(client, world_a):
    person = world_a.objects["clients.client"]
    feed = world_a.objects["notifications.calendarfeed"]
    with time_machine.travel(NOW, tick=False):
        portal = Browser()
        portal.force_login(person.user)
        assert portal.get(reverse("portal:data")).status_code == 200
        assert client.get(reverse("notifications:feed", args=[feed.token])).status_code == 200
        user_id = person.user_id
        assert any(
            str(s.get_decoded().get("_auth_user_id")) == str(user_id)
            for s in LoginSession.objects.all()
        )

        erasure = ErasureRequest.objects.create(
            practice=person.practice, client=person, client_name=person.full_name
        )
        client.force_login(world_a.staff["owner"].user)
        response = client.post(reverse("portal:staff_erasure_confirm", args=[erasure.pk]))
        assert response.status_code == 302

        feed.refresh_from_db()
        assert feed.revoked_at is not None
        assert client.get(reverse("notifications:feed", args=[feed.token])).status_code == 404
        assert not EmailToken.objects.filter(client=person).exists()
        for secret in (world_a.secrets["sign_in"], world_a.secrets["follow_up"]):
            link = Browser().get(reverse("portal:link", args=[secret]))
            assert link.status_code in (400, 404)
        # The client's browser session is over.
        assert all(
            str(s.get_decoded().get("_auth_user_id")) != str(user_id)
            for s in LoginSession.objects.all()
        )
        assert portal.get(reverse("portal:data")).status_code != 200


def test_an_erased_clients_feed_serves_nothing_even_if_it_was_not_revoked(client, world_a):
    person = world_a.objects["clients.client"]
    feed = world_a.objects["notifications.calendarfeed"]
    ErasureRequest.objects.create(
        practice=person.practice, client=person, client_name="x", status="done"
    )
    assert client.get(reverse("notifications:feed", args=[feed.token])).status_code == 404
