"""Twilio's Messages API over plain HTTPS (urllib: one POST, no SDK needed).

Settings: SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN, SMS_SENDER (a Twilio number or
an alphanumeric sender id), optionally SMS_TWILIO_API_URL (for a test double)."""

import base64
import json
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings

from backcourse.sms import SmsError

API = "https://api.twilio.com/2010-04-01/Accounts/{sid}/Messages.json"


class SmsBackend:
    timeout = 10

    def send(self, message) -> None:
        sid = settings.SMS_TWILIO_ACCOUNT_SID
        token = settings.SMS_TWILIO_AUTH_TOKEN
        if not (sid and token and message.sender):
            raise SmsError(
                "Twilio needs SMS_TWILIO_ACCOUNT_SID, SMS_TWILIO_AUTH_TOKEN and SMS_SENDER"
            )
        url = (getattr(settings, "SMS_TWILIO_API_URL", "") or API).format(sid=sid)
        data = urllib.parse.urlencode(
            {"To": message.to, "From": message.sender, "Body": message.body}
        ).encode()
        request = urllib.request.Request(url, data=data, method="POST")
        auth = base64.b64encode(f"{sid}:{token}".encode()).decode()
        request.add_header("Authorization", f"Basic {auth}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as exc:
            raise SmsError(f"Twilio answered {exc.code}: {exc.read()[:300]!r}") from exc
        except (urllib.error.URLError, TimeoutError, ValueError) as exc:
            raise SmsError(f"Twilio unreachable: {exc}") from exc
        if answer.get("status") in {"failed", "undelivered"}:
            raise SmsError(f"Twilio refused: {answer.get('message') or answer}")
