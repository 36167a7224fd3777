"""A favicon on every page, and a web app manifest so a client can put a practice's
booking page on their phone's home screen."""

import json

from django.contrib.staticfiles import finders
from django.urls import reverse

from tests import factories as f


def test_favicon_ico_is_served_not_a_404(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    path = response["Location"].removeprefix("/static/")
    assert finders.find(path), path


def test_every_page_links_its_icons(client, practice_a, as_therapist_a):
    practice_a.online_booking = True
    practice_a.save(update_fields=["online_booking"])
    for response in (
        as_therapist_a.get(reverse("scheduling:day")),
        client.get(reverse("booking:start", args=[practice_a.slug])),
        client.get(reverse("portal:login")),
    ):
        html = response.text
        assert 'rel="icon"' in html and 'rel="apple-touch-icon"' in html


def test_the_booking_page_has_a_manifest_that_starts_there(client, practice_a):
    practice_a.online_booking = True
    practice_a.save(update_fields=["online_booking"])
    start = reverse("booking:start", args=[practice_a.slug])
    html = client.get(start).text
    manifest_url = reverse("booking:manifest", args=[practice_a.slug])
    assert f'rel="manifest" href="{manifest_url}"' in html

    response = client.get(manifest_url)
    assert response["Content-Type"] == "application/manifest+json"
    data = json.loads(response.content)
    assert data["start_url"] == start and data["display"] == "standalone"
    assert data["name"].startswith("Rückenwerk Berlin")
    sizes = {i["sizes"] for i in data["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in data["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_the_manifest_speaks_the_practice_language(client, db):
    practice = f.PracticeFactory(language="lt", online_booking=True)
    data = json.loads(client.get(reverse("booking:manifest", args=[practice.slug])).content)
    assert data["lang"] == "lt" and "Rezervuoti seansą" in data["name"]
