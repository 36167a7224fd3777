"""The invoice as a document: HTML and PDF (WeasyPrint) in the invoice's language, and
the email that carries it.

The email is built with every other one (notifications/emails.py) but does not go
through notifications/outbox.py: it is already sent by a worker (billing/tasks.py),
which also renders the PDF, so that a request never waits for WeasyPrint or the mail
server; `emailed_at`/`reminded_at` are stamped after sending."""

from django.template.loader import render_to_string
from django.utils import timezone, translation

from backcourse.billing.models import Invoice
from backcourse.notifications import emails


def invoice_html(invoice: Invoice) -> str:
    lines = list(invoice.lines.all())
    # One tax line per rate, as the invoice must show them.
    rates: dict = {}
    for line in lines:
        if not line.tax_exempt and line.tax_rate:
            net, tax = rates.get(line.tax_rate, (0, 0))
            rates[line.tax_rate] = (net + line.net, tax + line.tax)
    with translation.override(invoice.language):
        return render_to_string(
            "billing/invoice_pdf.html",
            {
                "invoice": invoice,
                "lines": lines,
                "tax_lines": sorted(rates.items()),
                "has_exempt": any(line.tax_exempt for line in lines),
                "language": invoice.language,
            },
        )


def invoice_pdf(invoice: Invoice) -> bytes:
    from weasyprint import HTML  # heavy; only PDF paths need it

    return HTML(string=invoice_html(invoice)).write_pdf()


def invoice_filename(invoice: Invoice) -> str:
    safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in invoice.number_text)
    return f"{invoice.get_kind_display()}-{safe}.pdf".replace(" ", "-")


def invoice_email_send(invoice: Invoice, *, reminder: bool = False) -> None:
    """Send the invoice (or its reminder) with the PDF; run by the billing worker."""
    pdf = (invoice_filename(invoice), invoice_pdf(invoice), "application/pdf")
    emails.invoice(invoice=invoice, reminder=reminder, attachment=pdf).send()
    field = "reminded_at" if reminder else "emailed_at"
    setattr(invoice, field, timezone.now())
    invoice.save(update_fields=[field])
