"""Text-message reminders: backends, phone numbers, the client's choice, and each channel
claimed exactly once."""

import json
import threading
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from urllib.parse import parse_qs

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from backcourse import sms
from backcourse.notifications.models import Notification
from backcourse.notifications.services import reminders_send_due
from backcourse.sms import SmsError, get_backend, send_sms
from backcourse.sms.models import ReminderChannels
from backcourse.sms.phone import phone_normalise
from tests import factories as f

START = datetime(2026, 11, 2, 9, tzinfo=UTC)
LOCMEM = "backcourse.sms.backends.locmem.SmsBackend"


@pytest.fixture(autouse=True)
def _locmem(settings):
    settings.SMS_BACKEND = LOCMEM
    sms.outbox.clear()


def test_phone_numbers_are_normalised_or_refused():
    assert phone_normalise("030 1234567", "DE") == "+49301234567"
    assert phone_normalise("+49 (171) 555-0101", "DE") == "+491715550101"
    assert phone_normalise("0171 5550101", "AT") == "+431715550101"
    for bad in ("hello", "123", "+49 1"):
        with pytest.raises(ValidationError):
            phone_normalise(bad, "DE")


@pytest.fixture
def booked(course_a):
    return f.SessionFactory(course=course_a, starts_at=START)


def choose(client, channels, phone="+491715550101"):
    return ReminderChannels.objects.create(client=client, channels=channels, phone=phone)


@pytest.mark.django_db
def test_email_only_by_default(booked):
    counts = reminders_send_due(now=START - timedelta(hours=2))
    assert counts["session_reminder"] == 1 and counts["session_reminder_sms"] == 0
    assert len(mail.outbox) == 1 and sms.outbox == []


@pytest.mark.django_db
def test_both_channels_each_once(booked):
    choose(booked.client, "both")
    now = START - timedelta(hours=2)
    counts = reminders_send_due(now=now)
    assert (counts["session_reminder"], counts["session_reminder_sms"]) == (1, 1)
    reminders_send_due(now=now + timedelta(minutes=5))
    reminders_send_due(now=now + timedelta(hours=1))
    assert len(mail.outbox) == 1
    assert len(sms.outbox) == 1
    text = sms.outbox[0]
    assert text.to == "+491715550101" and booked.therapist.name in text.body
    assert "10:00" in text.body  # 09:00 UTC is 10:00 in Berlin
    rows = Notification.objects.filter(session=booked).order_by("channel")
    assert [(n.channel, n.status) for n in rows] == [("email", "sent"), ("sms", "sent")]


@pytest.mark.django_db
def test_text_only_gets_no_email(booked):
    choose(booked.client, "sms")
    reminders_send_due(now=START - timedelta(hours=2))
    assert mail.outbox == [] and len(sms.outbox) == 1


@pytest.mark.django_db
def test_a_failing_gateway_keeps_the_claim_for_a_retry(booked, settings):
    choose(booked.client, "sms")
    settings.SMS_BACKEND = "backcourse.sms.backends.twilio.SmsBackend"  # not configured
    settings.SMS_TWILIO_ACCOUNT_SID = ""
    reminders_send_due(now=START - timedelta(hours=2))
    note = Notification.objects.get(session=booked, channel="sms")
    assert note.status == "sending" and "SMS_TWILIO_ACCOUNT_SID" in note.last_error
    # After the claim timeout another scan takes it over and sends it.
    settings.SMS_BACKEND = LOCMEM
    reminders_send_due(now=START - timedelta(hours=2) + timedelta(minutes=20))
    assert len(sms.outbox) == 1
    note.refresh_from_db()
    assert note.status == "sent" and note.attempts == 2


def test_the_file_backend_appends_one_json_line(settings, tmp_path):
    settings.SMS_BACKEND = "backcourse.sms.backends.file.SmsBackend"
    settings.SMS_FILE_PATH = str(tmp_path / "sms.log")
    send_sms(to="+491715550101", body="Hallo")
    send_sms(to="+491715550102", body="Again")
    lines = [json.loads(x) for x in (tmp_path / "sms.log").read_text().splitlines()]
    assert [(x["to"], x["body"]) for x in lines] == [
        ("+491715550101", "Hallo"),
        ("+491715550102", "Again"),
    ]


class _Gateway(BaseHTTPRequestHandler):
    """A stand-in for Twilio on localhost: records the request, answers like Twilio."""

    seen: list = []
    answer = (201, {"sid": "SM1", "status": "queued"})

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).seen.append((self.path, self.headers["Authorization"], parse_qs(body.decode())))
        code, payload = type(self).answer
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(json.dumps(payload).encode())

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    server = HTTPServer(("127.0.0.1", 0), _Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _Gateway.seen = []
    settings.SMS_TWILIO_API_URL = (
        f"http://127.0.0.1:{server.server_port}/Accounts/{{sid}}/Messages.json"
    )
    settings.SMS_TWILIO_ACCOUNT_SID = "AC123"
    settings.SMS_TWILIO_AUTH_TOKEN = "secret"
    settings.SMS_SENDER = "Rueckenwrk"
    yield _Gateway
    server.shutdown()


def test_the_twilio_adapter_posts_the_message_over_http(gateway):
    backend = get_backend("backcourse.sms.backends.twilio.SmsBackend")
    backend.send(sms.TextMessage(to="+491715550101", body="Hallo", sender="Rueckenwrk"))
    [(path, auth, form)] = gateway.seen
    assert path == "/Accounts/AC123/Messages.json"
    assert auth.startswith("Basic ")
    assert form == {"To": ["+491715550101"], "From": ["Rueckenwrk"], "Body": ["Hallo"]}
    gateway.answer = (400, {"message": "The 'To' number is not valid."})
    with pytest.raises(SmsError, match="400"):
        backend.send(sms.TextMessage(to="+49", body="x", sender="Rueckenwrk"))
    gateway.answer = (201, {"sid": "SM1", "status": "queued"})


@pytest.mark.django_db
def test_the_client_chooses_and_the_number_is_normalised(client, client_a):
    user = f.UserFactory(email=client_a.email)
    client_a.user = user
    client_a.save(update_fields=["user"])
    client.force_login(user)
    url = reverse("sms:reminders")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"channels": "sms", "phone": ""})
    assert bad.status_code == 400 and "mobile number is needed" in bad.content.decode()
    assert client.post(url, {"channels": "both", "phone": "0171 5550101"}).status_code == 302
    prefs = ReminderChannels.objects.get(client=client_a)
    assert (prefs.channels, prefs.phone) == ("both", "+491715550101")
