"""Background tasks (Tasks API, run by `manage.py db_worker`). They only load and call."""

from django_tasks import task

from backcourse.billing import documents, selectors
from backcourse.billing.models import Invoice


@task()
def invoice_email_send(invoice_id: int) -> None:
    """Email one invoice or credit note as PDF to the client."""
    documents.invoice_email_send(Invoice.objects.select_related("practice").get(pk=invoice_id))


@task()
def overdue_reminders_send() -> int:
    """Remind clients of invoices overdue by the practice's reminder delay, once each."""
    sent = 0
    for invoice in selectors.invoices_needing_reminder():
        documents.invoice_email_send(invoice, reminder=True)
        sent += 1
    return sent
