"""Emails leave through the task queue once the transaction commits, attachments intact."""

from django.core import mail
from django.core.mail import EmailMessage

from backcourse.notifications.outbox import email_data, email_queue
from backcourse.notifications.tasks import email_from_data, email_send


def test_a_queued_email_is_sent_only_when_the_transaction_commits(
    db, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        email_queue(EmailMessage("Booked", "See you.", to=["rita@example.org"]))
    assert mail.outbox == []  # still inside the transaction: nothing has left
    for callback in callbacks:
        callback()
    [sent] = mail.outbox
    assert (sent.subject, sent.to) == ("Booked", ["rita@example.org"])


def test_a_rolled_back_write_sends_nothing(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        email_queue(EmailMessage("Booked", "See you.", to=["rita@example.org"]))
    assert mail.outbox == []  # the callbacks never ran: the transaction did not commit


def test_the_task_is_on_the_email_backend_and_carries_attachments():
    assert email_send.backend == "email"
    message = EmailMessage("Booked", "See you.", to=["a@example.org"], reply_to=["p@example.org"])
    message.attach("session.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")
    again = email_from_data(email_data(message))
    assert again.attachments == message.attachments
    assert (again.subject, again.to, again.reply_to) == (
        "Booked",
        ["a@example.org"],
        ["p@example.org"],
    )
