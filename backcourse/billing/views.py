"""Money pages: validate → access → service → render. A refused action re-renders the
page with its message and what was typed, and changes nothing."""

import csv
from datetime import date

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backcourse.audit.services import access_events_record_many
from backcourse.billing import documents, selectors, services
from backcourse.billing.access import access_fee, access_invoice, money_required
from backcourse.billing.forms import (
    DateRangeForm,
    InvoiceSessionsForm,
    PackageSellForm,
    PaymentForm,
    ReasonForm,
    VoucherForm,
)
from backcourse.billing.models import Invoice
from backcourse.outcomes.selectors import course_effect, practice_prior
from backcourse.portal.access import client_required
from backcourse.practices.access import access_client, scoped_courses, staff_required
from backcourse.practices.roles import Perm, has_perm


def _today(request) -> date:
    return timezone.localdate(timezone=request.practice.zone)


def _errors(exc: ValidationError) -> list[str]:
    return exc.messages


@money_required
def outstanding_view(request):
    rows = selectors.outstanding_invoices(request.practice)
    return render(
        request,
        "billing/outstanding.html",
        {
            "nav": "billing",
            "rows": rows,
            "fees": selectors.open_fees(request.practice),
            "currency": selectors.currency_of(request.practice),
            "total": sum((r.balance for r in rows), 0),
        },
    )


def _client_context(request, client, **extra):
    return {
        "nav": "billing",
        "client": client,
        "held": list(selectors.uninvoiced_held_sessions(client)),
        "invoices": selectors.invoices_with_balance(client.invoices.all()).order_by("-number"),
        "fees": selectors.open_fees(request.practice).filter(session__client=client),
        "currency": selectors.currency_of(request.practice),
        "courses": scoped_courses(request, perm=Perm.SCHEDULE).filter(client=client),
        **extra,
    }


@money_required
def client_billing_view(request, pk):
    client = access_client(request, pk)
    ctx = _client_context(request, client)
    courses = list(ctx["courses"])
    sessions_form = InvoiceSessionsForm(sessions=ctx["held"])
    package_form = PackageSellForm(courses=courses)
    voucher_form = VoucherForm()
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "invoice":
                sessions_form = InvoiceSessionsForm(request.POST, sessions=ctx["held"])
                if sessions_form.is_valid():
                    chosen = [
                        s
                        for s in ctx["held"]
                        if str(s.pk) in sessions_form.cleaned_data["sessions"]
                    ]
                    invoice = services.invoice_for_sessions(
                        client=client,
                        sessions=chosen,
                        client_address=sessions_form.cleaned_data["client_address"],
                        by=request.user,
                        request=request,
                    )
                    messages.success(request, _("Invoice %(n)s issued.") % {"n": invoice})
                    return redirect("billing:invoice", invoice.pk)
            elif action == "package":
                package_form = PackageSellForm(request.POST, courses=courses)
                if package_form.is_valid():
                    data = package_form.cleaned_data
                    course = next((c for c in courses if c.pk == data["course"]), None)
                    _package, invoice = services.package_sell(
                        client=client,
                        course=course,
                        name=data["name"],
                        sessions_total=data["sessions_total"],
                        price=data["price"],
                        months=data["months"],
                        tax_exempt=data["tax_exempt"],
                        tax_rate=data["tax_rate"] or 0,
                        client_address=data["client_address"],
                        by=request.user,
                        request=request,
                    )
                    messages.success(
                        request, _("Package sold; invoice %(n)s issued.") % {"n": invoice}
                    )
                    return redirect("billing:invoice", invoice.pk)
            elif action == "voucher":
                voucher_form = VoucherForm(request.POST)
                if voucher_form.is_valid():
                    package = services.voucher_redeem_sessions(
                        client=client,
                        code=voucher_form.cleaned_data["code"],
                        by=request.user,
                        request=request,
                    )
                    messages.success(request, _("Voucher redeemed: %(p)s.") % {"p": package.name})
                    return redirect("billing:client", client.pk)
        except ValidationError as exc:
            errors = _errors(exc)
    posted = request.method == "POST" and request.POST.get("action") == "invoice"
    ctx.update(
        chosen=set(request.POST.getlist("sessions"))
        if posted
        else {str(s.pk) for s in ctx["held"]},
        sessions_form=sessions_form,
        package_form=package_form,
        voucher_form=voucher_form,
        errors=errors,
    )
    bad = request.method == "POST"
    return render(request, "billing/client.html", ctx, status=400 if bad else 200)


@money_required
def invoice_view(request, pk):
    invoice = access_invoice(request, pk)
    payment_form = PaymentForm(initial={"received_on": _today(request)})
    voucher_form = VoucherForm()
    credit_form = ReasonForm()
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "pay":
                payment_form = PaymentForm(request.POST)
                if payment_form.is_valid():
                    d = payment_form.cleaned_data
                    services.payment_record(
                        invoice=invoice,
                        amount=d["amount"],
                        method=d["method"],
                        received_on=d["received_on"],
                        reference=d["reference"],
                        is_overpayment=d["is_overpayment"],
                        by=request.user,
                        request=request,
                    )
                    messages.success(request, _("Payment recorded."))
                    return redirect("billing:invoice", invoice.pk)
            elif action == "voucher":
                voucher_form = VoucherForm(request.POST)
                if voucher_form.is_valid():
                    services.voucher_redeem_on_invoice(
                        invoice=invoice,
                        code=voucher_form.cleaned_data["code"],
                        by=request.user,
                        request=request,
                    )
                    messages.success(request, _("Voucher redeemed."))
                    return redirect("billing:invoice", invoice.pk)
            elif action == "credit":
                credit_form = ReasonForm(request.POST)
                if credit_form.is_valid():
                    credit = services.credit_note_issue(
                        invoice=invoice,
                        reason=credit_form.cleaned_data["reason"],
                        by=request.user,
                        request=request,
                    )
                    messages.success(request, _("Credit note %(n)s issued.") % {"n": credit})
                    return redirect("billing:invoice", credit.pk)
            elif action == "email":
                services.invoice_email_queue(invoice=invoice)
                messages.success(
                    request, _("The PDF will be emailed to %(e)s.") % {"e": invoice.client_email}
                )
                return redirect("billing:invoice", invoice.pk)
        except ValidationError as exc:
            errors = _errors(exc)
    row = selectors.invoices_with_balance(Invoice.objects.filter(pk=invoice.pk)).get()
    return render(
        request,
        "billing/invoice.html",
        {
            "nav": "billing",
            "invoice": invoice,
            "row": row,
            "lines": invoice.lines.all(),
            "payments": invoice.payments.all(),
            "credit_note": Invoice.objects.filter(corrects=invoice).first(),
            "payment_form": payment_form,
            "voucher_form": voucher_form,
            "credit_form": credit_form,
            "errors": errors,
        },
        status=400 if request.method == "POST" else 200,
    )


@money_required
def invoice_pdf_view(request, pk):
    invoice = access_invoice(request, pk)
    return _pdf_response(invoice)


def _pdf_response(invoice):
    response = HttpResponse(documents.invoice_pdf(invoice), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{documents.invoice_filename(invoice)}"'
    return response


@money_required
@require_POST
def fee_view(request, pk):
    fee = access_fee(request, pk)
    try:
        if request.POST.get("action") == "invoice":
            invoice = services.fee_invoice(fee=fee, by=request.user, request=request)
            messages.success(request, _("Invoice %(n)s issued.") % {"n": invoice})
            return redirect("billing:invoice", invoice.pk)
        services.fee_waive(
            fee=fee, reason=request.POST.get("reason", ""), by=request.user, request=request
        )
        messages.success(request, _("Fee waived."))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        back = "billing:outstanding"
    return redirect(back)


@money_required
def export_view(request):
    form = DateRangeForm(request.GET or None)
    if not form.is_valid():
        return render(
            request,
            "billing/export.html",
            {"nav": "billing", "form": form},
            status=400 if request.GET else 200,
        )
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="backcourse-money-{start}-{end}.csv"'
    writer = csv.DictWriter(response, fieldnames=selectors.EXPORT_COLUMNS)
    writer.writeheader()
    writer.writerows(selectors.export_rows(request.practice, start=start, end=end))
    return response


@money_required
def summary_view(request):
    today = _today(request)
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2000), today.year + 1)
    by_therapist, by_type = selectors.monthly_summary(request.practice, year=year)
    # Revenue next to what the course achieved: its lasting relief on its goal measure,
    # read through the outcomes selectors (one prior per measure, not per course).
    # Complaints and relief are clinical: only for a role that may read them (the owner;
    # front desk sees the money alone), and the read is logged.
    courses, priors = [], {}
    completed = []
    if has_perm(request, Perm.CLINICAL_READ):
        completed = list(
            scoped_courses(request, perm=Perm.CLINICAL_READ)
            .filter(status="completed")
            .order_by("-started_on")[:50]
        )
        access_events_record_many(
            request=request, clients=[c.client for c in completed], what="money summary"
        )
    for course in completed:
        code = course.goal_measure.code
        if code not in priors:
            priors[code] = practice_prior(request.practice, code, request=request)
        effect = course_effect(course, code, request=request, prior=priors[code])
        courses.append(
            {
                "course": course,
                "revenue": selectors.course_revenue(course),
                "lasting_relief": effect.lasting_relief,
                "sessions": len(effect.immediate_relief),
            }
        )
    return render(
        request,
        "billing/summary.html",
        {
            "nav": "billing",
            "year": year,
            "by_therapist": by_therapist,
            "by_type": by_type,
            "courses": courses,
            "clinical": has_perm(request, Perm.CLINICAL_READ),
            "currency": selectors.currency_of(request.practice),
        },
    )


@staff_required
def my_charges_view(request):
    """A therapist's own sessions' charges (owners and front desk see everything)."""
    return render(
        request,
        "billing/my_charges.html",
        {
            "nav": "billing",
            "lines": selectors.therapist_charges(request.staff)[:200],
            "currency": selectors.currency_of(request.practice),
        },
    )


# --------------------------------------------------------------------------- the client's own


@client_required
def my_invoice_pdf_view(request, pk):
    invoice = get_object_or_404(Invoice.objects.filter(client=request.client), pk=pk)
    return _pdf_response(invoice)
